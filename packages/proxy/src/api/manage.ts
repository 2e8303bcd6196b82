import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loginThrottle } from "../admin/throttle.js";
import type { AuditAggregator } from "../audit/aggregate.js";
import type { Domain } from "../domain.js";
import { AppError } from "../errors.js";
import { managementAuth } from "./auth.js";
import { actorOf, type ApiEnv } from "./context.js";
import { adminSessionRoutes } from "./admin-sessions.js";
import { openApiDocument } from "./openapi.js";
import { guarded, jsonBody, manageRoutes } from "./routes.js";

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
  for (const route of routes) {
    const path = route.path.replace(/\{(\w+)\}/g, ":$1");
    app.on(route.method.toUpperCase(), path, async (c) => {
      const result = await route.handle(d, actorOf(c), {
        id: c.req.param("id") ?? "",
        query: c.req.query(),
        body: () => jsonBody(c),
      });
      return result.status === 204 ? c.body(null, 204) : c.json(result.body as object, result.status);
    });
  }
  return app;
}
