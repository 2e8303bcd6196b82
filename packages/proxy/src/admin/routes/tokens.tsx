import { Hono } from "hono";
import { AppError } from "../../errors.js";
import type { ProjectView } from "../../projects/verbs.js";
import { callOf, type AdminContext, type AdminEnv } from "../context.js";
import { checked, formOf, usdAmount, wholeNumber } from "../forms.js";
import { slicePage } from "../views/parts.js";
import { EditTokenPage, NewTokenPage, TokenCreatedPage } from "../views/token-forms.js";
import { TokenPage, TokensPage } from "../views/tokens.js";
import type { RouteDeps } from "./deps.js";
import { isUserError } from "./projects.js";

const DEFAULT_DURATION = 15;

/** A token's project may be missing from the list only in a race; the pages then show its id. */
async function projectOf(deps: RouteDeps, c: AdminContext, id: string): Promise<ProjectView | undefined> {
  try {
    return await deps.backend.getProject(callOf(c), id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return undefined;
    throw err;
  }
}

/** `rate_limit_rpm` from its field: blank is the proxy's default (null). */
function rpmOf(v: string | undefined): number | null {
  const rpm = wholeNumber(v);
  if (Number.isNaN(rpm)) throw new AppError("invalid_request", "Requests per minute must be a whole number (0 for no limit), or blank for the proxy's default.");
  return rpm ?? null;
}

const SPEND_LIMIT = "Spend limit";

const back = (returnTo: string | undefined, id: string) => (returnTo === "list" ? "/tokens" : `/tokens/${id}`);

export function tokenRoutes(deps: RouteDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { backend } = deps;

  app.get("/tokens", async (c) => {
    const call = callOf(c);
    const projectId = c.req.query("project_id") || undefined;
    const [tokens, projects] = [await backend.listTokens(call, projectId), await backend.listProjects(call)];
    const slice = slicePage(tokens, { page: c.req.query("page"), size: c.req.query("size") });
    return c.html(
      <TokensPage
        frame={deps.frame(c)}
        tokens={slice.items}
        projects={new Map(projects.map((p) => [p.id, p]))}
        projectId={projectId}
        page={slice.page}
        size={slice.size}
        totalPages={slice.totalPages}
        total={tokens.length}
      />,
    );
  });

  app.get("/tokens/new", async (c) => {
    const projects = await backend.listProjects(callOf(c));
    const values = { project_id: c.req.query("project_id") ?? "", duration_minutes: DEFAULT_DURATION, max_requests: "", max_spend_usd: "", rate_limit_rpm: "" };
    return c.html(<NewTokenPage frame={deps.frame(c)} projects={projects} values={values} />);
  });

  app.post("/tokens", async (c) => {
    const call = callOf(c);
    const form = await formOf(c);
    const values = {
      project_id: form.project_id ?? "",
      duration_minutes: wholeNumber(form.duration_minutes) ?? DEFAULT_DURATION,
      max_requests: form.max_requests ?? "",
      max_spend_usd: form.max_spend_usd ?? "",
      rate_limit_rpm: form.rate_limit_rpm ?? "",
    };
    const maxRequests = wholeNumber(values.max_requests);
    try {
      if (Number.isNaN(values.duration_minutes)) throw new AppError("invalid_request", "Choose how long the token is valid.");
      if (Number.isNaN(maxRequests) || maxRequests === 0) throw new AppError("invalid_request", "Maximum requests must be a whole number of at least 1, or blank.");
      const maxSpend = usdAmount(values.max_spend_usd, SPEND_LIMIT);
      const rpm = rpmOf(values.rate_limit_rpm);
      const created = await backend.createToken(call, {
        project_id: values.project_id,
        duration_minutes: values.duration_minutes,
        ...(maxRequests === undefined ? {} : { max_requests: maxRequests }),
        ...(maxSpend === undefined ? {} : { max_spend_usd: maxSpend }),
        ...(rpm === null ? {} : { rate_limit_rpm: rpm }),
      });
      const project = await projectOf(deps, c, values.project_id);
      c.header("Cache-Control", "no-store");
      return c.html(<TokenCreatedPage frame={deps.frame(c)} created={created} project={project} apiBaseUrl={deps.publicApiBaseUrl} />);
    } catch (err) {
      if (!isUserError(err)) throw err;
      const projects = await backend.listProjects(call);
      return c.html(<NewTokenPage frame={deps.frame(c)} projects={projects} values={values} error={err.message} />, err.status);
    }
  });

  app.get("/tokens/:id", async (c) => {
    const token = await backend.getToken(callOf(c), c.req.param("id"));
    return c.html(<TokenPage frame={deps.frame(c)} token={token} project={await projectOf(deps, c, token.project_id)} />);
  });

  app.get("/tokens/:id/edit", async (c) => {
    const token = await backend.getToken(callOf(c), c.req.param("id"));
    return c.html(<EditTokenPage frame={deps.frame(c)} token={token} project={await projectOf(deps, c, token.project_id)} />);
  });

  // `_method=DELETE` revokes, `_method=PUT` (the edit form) updates: the original's form convention.
  app.post("/tokens/:id", async (c) => {
    const id = c.req.param("id");
    const call = callOf(c);
    const form = await formOf(c);
    if (form._method === "DELETE") {
      await backend.revokeToken(call, id);
      deps.flash(c, { kind: "success", text: "Token revoked." });
      return c.redirect(back(form.return_to, id), 303);
    }
    const values = {
      is_active: checked(form.is_active),
      max_requests: form.max_requests ?? "",
      max_spend_usd: form.max_spend_usd ?? "",
      rate_limit_rpm: form.rate_limit_rpm ?? "",
    };
    const maxRequests = wholeNumber(values.max_requests);
    try {
      if (Number.isNaN(maxRequests)) throw new AppError("invalid_request", "Maximum requests must be a whole number (blank or 0 for unlimited).");
      // Blank means unlimited, which the API spells 0 for max_requests and null for the spend limit.
      await backend.updateToken(call, id, {
        is_active: values.is_active,
        max_requests: maxRequests ?? 0,
        max_spend_usd: usdAmount(values.max_spend_usd, SPEND_LIMIT) ?? null,
        rate_limit_rpm: rpmOf(values.rate_limit_rpm),
      });
      deps.flash(c, { kind: "success", text: "Token updated." });
      return c.redirect(`/tokens/${id}`, 303);
    } catch (err) {
      if (!isUserError(err) || err.status === 404) throw err;
      const token = await backend.getToken(call, id);
      const project = await projectOf(deps, c, token.project_id);
      return c.html(<EditTokenPage frame={deps.frame(c)} token={token} project={project} error={err.message} values={values} />, err.status);
    }
  });

  app.post("/tokens/:id/reactivate", async (c) => {
    const id = c.req.param("id");
    const form = await formOf(c);
    // Only is_active: the verb keeps max_requests (the original's list action cleared it).
    await backend.updateToken(callOf(c), id, { is_active: true });
    deps.flash(c, { kind: "success", text: "Token reactivated." });
    return c.redirect(back(form.return_to, id), 303);
  });

  return app;
}
