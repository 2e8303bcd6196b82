import { randomUUID } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../audit/record.js";

import type { HttpBindings } from "@hono/node-server";

export type ApiEnv = { Bindings: HttpBindings; Variables: { requestId: string; correlationId: string } };

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `X-Request-ID` / `X-Correlation-ID`: echoed when the client sent a sane one, generated otherwise. */
export function requestIds(): MiddlewareHandler<ApiEnv> {
  return async function requestIdsMiddleware(c, next) {
    const given = c.req.header("x-request-id");
    const requestId = given && ID.test(given) ? given : randomUUID();
    const corr = c.req.header("x-correlation-id");
    const correlationId = corr && ID.test(corr) ? corr : requestId;
    c.set("requestId", requestId);
    c.set("correlationId", correlationId);
    c.header("X-Request-ID", requestId);
    c.header("X-Correlation-ID", correlationId);
    await next();
  };
}

/** First `X-Forwarded-For` entry, then `X-Real-IP`, then the socket's peer. */
export function clientIp(c: Context): string | undefined {
  const xff = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  if (xff) return xff.slice(0, 64);
  const real = c.req.header("x-real-ip")?.trim();
  if (real) return real.slice(0, 64);
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

const clip = (v: string | undefined, n = 512) => (v ? v.slice(0, n) : undefined);

/** The audit actor for a management call; the admin UI forwards its browser's context. */
export function actorOf(c: Context<ApiEnv>, actor = "management_api"): Actor {
  return {
    actor,
    requestId: c.get("requestId"),
    correlationId: c.get("correlationId"),
    clientIp: clientIp(c),
    method: c.req.method,
    path: c.req.path,
    userAgent: clip(c.req.header("x-forwarded-user-agent") ?? c.req.header("user-agent")),
    referer: clip(c.req.header("x-forwarded-referer")),
    origin: c.req.header("x-admin-origin") === "1" ? "admin-ui" : undefined,
  };
}
