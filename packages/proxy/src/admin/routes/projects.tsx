import { Hono } from "hono";
import { AppError } from "../../errors.js";
import type { ProjectPatch } from "../backend/port.js";
import { callOf, type AdminEnv } from "../context.js";
import { checked, formOf, usdAmount, usdText } from "../forms.js";
import { slicePage } from "../views/parts.js";
import { ProjectFormPage, ProjectPage, ProjectsPage } from "../views/projects.js";
import type { RouteDeps } from "./deps.js";

/** Form errors (4xx from the verbs) re-render the form with the message; anything else propagates. */
export const isUserError = (err: unknown): err is AppError => err instanceof AppError && err.status < 500 && err.status !== 401;

const BUDGET = "Monthly budget";

export function projectRoutes(deps: RouteDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { backend } = deps;

  app.get("/projects", async (c) => {
    const all = await backend.listProjects(callOf(c));
    const slice = slicePage(all, { page: c.req.query("page"), size: c.req.query("size") });
    return c.html(
      <ProjectsPage frame={deps.frame(c)} projects={slice.items} page={slice.page} size={slice.size} totalPages={slice.totalPages} total={all.length} />,
    );
  });

  app.get("/projects/new", (c) =>
    c.html(<ProjectFormPage frame={deps.frame(c)} values={{ name: "", is_active: true, revoke_tokens: false, monthly_budget_usd: "" }} />),
  );

  app.post("/projects", async (c) => {
    const form = await formOf(c);
    const values = { name: (form.name ?? "").trim(), is_active: true, revoke_tokens: false, monthly_budget_usd: form.monthly_budget_usd ?? "" };
    try {
      const budget = usdAmount(values.monthly_budget_usd, BUDGET);
      const project = await backend.createProject(callOf(c), {
        name: values.name,
        api_key: form.api_key ?? "",
        ...(budget === undefined ? {} : { monthly_budget_usd: budget }),
      });
      deps.flash(c, { kind: "success", text: `Project "${project.name}" created.` });
      return c.redirect(`/projects/${project.id}`, 303);
    } catch (err) {
      if (!isUserError(err)) throw err;
      return c.html(<ProjectFormPage frame={deps.frame(c)} values={values} error={err.message} />, err.status);
    }
  });

  app.get("/projects/:id", async (c) => {
    const call = callOf(c);
    const id = c.req.param("id");
    const project = await backend.getProject(call, id);
    const tokens = await backend.listTokens(call, id);
    return c.html(<ProjectPage frame={deps.frame(c)} project={project} tokens={tokens} />);
  });

  app.get("/projects/:id/edit", async (c) => {
    const project = await backend.getProject(callOf(c), c.req.param("id"));
    return c.html(
      <ProjectFormPage frame={deps.frame(c)} project={project} values={{ name: project.name, is_active: project.is_active, revoke_tokens: false, monthly_budget_usd: usdText(project.monthly_budget_usd) }} />,
    );
  });

  // HTML forms can only POST; `_method=PUT` (the original's convention) marks the update.
  app.post("/projects/:id", async (c) => {
    const id = c.req.param("id");
    const call = callOf(c);
    const form = await formOf(c);
    if (form._method === "DELETE") throw new AppError("method_not_allowed", "Projects cannot be deleted; deactivate the project instead.");
    const values = {
      name: (form.name ?? "").trim(),
      is_active: checked(form.is_active),
      revoke_tokens: checked(form.revoke_tokens),
      monthly_budget_usd: form.monthly_budget_usd ?? "",
    };
    try {
      // Blank removes the budget, which the API spells null.
      const patch: ProjectPatch = { name: values.name, is_active: values.is_active, monthly_budget_usd: usdAmount(values.monthly_budget_usd, BUDGET) ?? null };
      if (form.api_key) patch.api_key = form.api_key;
      // Sent only when asked: the verb's own rule (revoke_tokens requires is_active=false) decides.
      if (values.revoke_tokens) patch.revoke_tokens = true;
      const project = await backend.updateProject(call, id, patch);
      deps.flash(c, { kind: "success", text: values.revoke_tokens ? "Project updated and its tokens revoked." : "Project updated." });
      return c.redirect(`/projects/${project.id}`, 303);
    } catch (err) {
      if (!isUserError(err) || err.status === 404) throw err;
      const project = await backend.getProject(call, id);
      return c.html(<ProjectFormPage frame={deps.frame(c)} project={project} values={values} error={err.message} />, err.status);
    }
  });

  app.post("/projects/:id/revoke-tokens", async (c) => {
    const id = c.req.param("id");
    const r = await backend.revokeProjectTokens(callOf(c), id);
    deps.flash(c, {
      kind: "success",
      text: `Revoked ${r.revoked_count} token${r.revoked_count === 1 ? "" : "s"} (${r.already_revoked_count} already inactive, ${r.total_tokens} in total).`,
    });
    return c.redirect(`/projects/${id}`, 303);
  });

  return app;
}
