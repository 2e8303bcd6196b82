import { Hono, type Context, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { manageApi } from "./api/manage.js";
import { clientIpOf, requestIds, type ApiEnv } from "./api/context.js";
import type { ClientIpResolver } from "./api/client-ip.js";
import type { AuditAggregator } from "./audit/aggregate.js";
import { healthApi, type HealthCheck } from "./api/health.js";
import type { Domain } from "./domain.js";
import { AppError, manageBody } from "./errors.js";
import type { Logger } from "./observability/logger.js";
import { metricsApi, type MetricsSource } from "./api/metrics.js";
import { VERSION } from "./version.js";

export interface AppDeps {
  domain: Domain;
  logger: Logger;
  managementToken: string;
  managementMaxBodyBytes: number;
  healthChecks: HealthCheck[];
  isDraining: () => boolean;
  metrics: MetricsSource | undefined;
  /** The one client-IP rule (TRUSTED_PROXIES). */
  clientIp: ClientIpResolver;
  /** Failed management auth, counted per client and window. */
  authFailures: AuditAggregator;
}

/** Renders every error as the management API's JSON body; unexpected ones are logged, never shown. */
function renderError(logger: Logger) {
  return function onError(err: Error, c: Context<ApiEnv>) {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
      return c.json(manageBody(err), err.status);
    }
    if (err instanceof HTTPException && err.status < 500) return c.json({ error: err.message || "bad request" }, err.status);
    logger.error({ err, request_id: c.get("requestId"), correlation_id: c.get("correlationId"), path: c.req.path }, "unhandled error");
    return c.json({ error: "internal server error" }, 500);
  };
}

/** One line per management call with the original's canonical fields, both ids among them. */
function accessLog(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async function accessLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    const fields = {
      request_id: c.get("requestId"),
      correlation_id: c.get("correlationId"),
      client_ip: c.get("clientIp"),
      method: c.req.method,
      path: c.req.path,
      status_code: c.res.status,
      duration_ms: Math.round(performance.now() - started),
    };
    logger.info(fields, "request completed");
  };
}

/**
 * The main listener's app (`LISTEN_ADDR`): management API, health, metrics. The `/v1` data plane
 * is served next to it by the composition root. Imports no concrete adapter.
 */
export function createApp(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use("*", requestIds());
  app.use("*", clientIpOf(deps.clientIp));
  app.use("/manage/*", accessLog(deps.logger));
  if (deps.metrics) app.route("/", metricsApi(deps.metrics));
  const detailTokens = [deps.managementToken, ...(deps.metrics?.token ? [deps.metrics.token] : [])];
  app.route("/", healthApi(deps.healthChecks, { version: VERSION, isDraining: deps.isDraining, detailTokens }));
  app.route(
    "/",
    manageApi(deps.domain, {
      managementToken: deps.managementToken,
      maxBodyBytes: deps.managementMaxBodyBytes,
      version: VERSION,
      authFailures: deps.authFailures,
    }),
  );
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError(renderError(deps.logger));
  return app;
}
