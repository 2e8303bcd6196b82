import type { MiddlewareHandler } from "hono";
import type { LoginThrottle } from "../admin/throttle.js";
import type { AuditAggregator } from "../audit/aggregate.js";
import { AppError } from "../errors.js";
import { safeEqual } from "../security/secrets.js";
import { actorOf, type ApiEnv } from "./context.js";

/** The credential of an `Authorization: Bearer …` header; the scheme is case-insensitive (RFC 9110). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^bearer[ \t]+(.*)$/i.exec(header ?? "");
  return m?.[1]?.trim() || undefined;
}

export interface ManagementAuthOptions {
  managementToken: string;
  /** Failures per client IP; a locked-out client gets 429 before its token is even compared. */
  throttle: LoginThrottle;
  /** Failures are audited aggregated: one row per client, reason and window, with a count. */
  failures: AuditAggregator;
}

/**
 * `Authorization: Bearer <MANAGEMENT_TOKEN>`, compared in constant time. Failures are throttled
 * per client IP and audited (without the presented value) as counted rows, so a flood of wrong
 * tries neither guesses freely nor writes a row each.
 */
export function managementAuth(opts: ManagementAuthOptions): MiddlewareHandler<ApiEnv> {
  return async function managementAuthMiddleware(c, next) {
    const ip = c.get("clientIp") ?? "unknown";
    const deny = (reason: string) => opts.failures.record(actorOf(c), { action: "management.auth", outcome: "denied", reason, note: { details: {} } });
    const wait = opts.throttle.retryAfterMs(ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      deny("too many failed attempts");
      throw new AppError("too_many_requests", `too many failed management authentication attempts; retry in ${seconds} seconds`, {
        headers: { "Retry-After": String(seconds) },
      });
    }
    const presented = bearerToken(c.req.header("authorization"));
    const reason =
      presented === undefined ? "missing or invalid Authorization header" : !safeEqual(presented, opts.managementToken) ? "invalid management token" : undefined;
    if (reason === undefined) {
      opts.throttle.succeeded(ip);
      return next();
    }
    opts.throttle.failed(ip);
    deny(reason);
    throw new AppError("unauthorized", reason);
  };
}
