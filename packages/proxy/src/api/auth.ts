import type { MiddlewareHandler } from "hono";
import { writeAudit } from "../audit/record.js";
import type { Domain } from "../domain.js";
import { AppError } from "../errors.js";
import { safeEqual } from "../security/secrets.js";
import { actorOf, type ApiEnv } from "./context.js";

/**
 * `Authorization: Bearer <MANAGEMENT_TOKEN>`, compared in constant time. Failures are audited
 * (without the presented value) and answered with the original's bodies.
 */
export function managementAuth(d: Domain, managementToken: string): MiddlewareHandler<ApiEnv> {
  return async function managementAuthMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const reason = !header.startsWith("Bearer ")
      ? "missing or invalid Authorization header"
      : !safeEqual(header.slice(7).trim(), managementToken)
        ? "invalid management token"
        : undefined;
    if (reason === undefined) return next();
    await writeAudit(d.sql, actorOf(c), {
      action: "management.auth",
      outcome: "denied",
      reason,
      note: { details: {} },
    }).catch(() => {});
    throw new AppError("unauthorized", reason);
  };
}
