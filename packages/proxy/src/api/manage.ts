import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loginThrottle } from "../admin/throttle.js";
import type { AuditAggregator } from "../audit/aggregate.js";
import type { Domain } from "../domain.js";
import { AppError } from "../errors.js";
import { managementAuth } from "./auth.js";
import { actorOf, type ApiEnv } from "./context.js";
import { adminSessionRoutes } from "./admin-sessions.js";
import { openApiDocument } from "./openapi.js";
import { guarded, jsonBody, manageRoutes, type Route } from "./routes.js";

export interface ManageOptions {
  managementToken: string;
  maxBodyBytes: number;
  version: string;
  /** Where failed management auth is counted (one audit row per client and window). */
  authFailures: AuditAggregator;
}

/** `/manage/*`: thin routes over the domain verbs, all from the route table. */
export function manageApi(d: Domain, opts: ManageOptions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  // Every route, the admin sessions' too: NUL refused, a database outage a prompt 503.
  const routes = [...manageRoutes, ...adminSessionRoutes].map(guarded);
  // Built on first request: converting every schema costs tens of milliseconds of each start.
  let doc: Record<string, unknown> | undefined;
  app.get("/manage/openapi.json", (c) => c.json((doc ??= openApiDocument(routes, opts.version))));
  app.use(
    "/manage/*",
    bodyLimit({
      maxSize: opts.maxBodyBytes,
      onError: () => {
        throw new AppError("payload_too_large", `request body exceeds ${opts.maxBodyBytes} bytes`);
      },
    }),
  );
  // Ten free failures per client, then a lockout doubling from 1 s up to 5 min (see loginThrottle).
  const throttle = loginThrottle({ failureDelayMs: 0, freeFailures: 10 });
  app.use("/manage/*", managementAuth({ managementToken: opts.managementToken, throttle, failures: opts.authFailures }));
  const allowed = allowedMethods(routes);
  for (const route of routes) {
    const allow = allowed.get(route.path) ?? "";
    const handler = async (c: Context<ApiEnv>) => {
      const result = await route.handle(d, actorOf(c), {
        id: c.req.param("id") ?? "",
        query: c.req.query(),
        body: () => jsonBody(c),
      }).catch((err: unknown) => {
        // A verb that refuses its method (project DELETE) answers with the route's `Allow`, like any 405 here.
        if (err instanceof AppError && err.code === "method_not_allowed") throw new AppError(err.code, err.message, { ...err.options, headers: { Allow: allow } });
        throw err;
      });
      return result.status === 204 ? c.body(null, 204) : c.json(result.body as object, result.status);
    };
    // The empty-id form too (`GET /manage/projects/`): the route answers the original's 400.
    for (const path of honoPaths(route.path)) app.on(route.method.toUpperCase(), path, handler);
  }
  // Any other method: 405 naming the methods the route serves in `Allow` (OPTIONS: 204 with it).
  for (const [path, allow] of allowed) {
    for (const p of honoPaths(path)) {
      app.all(p, (c) => {
        if (c.req.method === "OPTIONS") return c.body(null, 204, { Allow: allow });
        throw new AppError("method_not_allowed", "method not allowed", { headers: { Allow: allow } });
      });
    }
  }
  return app;
}

/** `{id}` becomes Hono's `:id`; a path with an id also stands for its empty-id form. */
function honoPaths(path: string): string[] {
  const hono = path.replace(/\{(\w+)\}/g, ":$1");
  return hono.includes(":id") ? [hono, hono.replace(":id", "")] : [hono];
}

/** Per path, the methods its routes serve (a refused route's method is not one), as `Allow` spells them. */
function allowedMethods(routes: Route[]): Map<string, string> {
  const byPath = new Map<string, string[]>([["/manage/openapi.json", ["GET"]]]);
  for (const r of routes) {
    const methods = byPath.get(r.path) ?? [];
    if (!r.refused) methods.push(r.method.toUpperCase());
    byPath.set(r.path, methods);
  }
  return new Map([...byPath].map(([path, methods]) => [path, methods.join(", ")]));
}
