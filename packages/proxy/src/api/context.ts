import { randomUUID } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { HttpBindings } from "@hono/node-server";
import type { Actor } from "../audit/record.js";
import type { ClientIpResolver, PeerInfo } from "./client-ip.js";

export type ApiEnv = { Bindings: HttpBindings; Variables: { requestId: string; correlationId: string; clientIp: string | undefined } };

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's id when it is sane (no spaces or control characters, at most 128), else a fresh UUID. */
const idFrom = (given: string | undefined): string => (given && ID.test(given) ? given : randomUUID());

/**
 * `X-Request-ID` and `X-Correlation-ID`, two ids as in the original: each echoed when the client
 * sent a sane one, each generated (its own UUID) otherwise. Both reach the audit row and the log.
 */
export function requestIds(): MiddlewareHandler<ApiEnv> {
  return async function requestIdsMiddleware(c, next) {
    const requestId = idFrom(c.req.header("x-request-id"));
    const correlationId = idFrom(c.req.header("x-correlation-id"));
    c.set("requestId", requestId);
    c.set("correlationId", correlationId);
    c.header("X-Request-ID", requestId);
    c.header("X-Correlation-ID", correlationId);
    await next();
  };
}

/** The facts `TRUSTED_PROXIES` judges: the socket peer and the forwarded headers. */
export function peerOf(c: Context): PeerInfo {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    socket = undefined;
  }
  return { socket, forwardedFor: c.req.header("x-forwarded-for"), realIp: c.req.header("x-real-ip") };
}

/** Computes the client IP once per request (see `clientIpResolver`); handlers read `c.get("clientIp")`. */
export function clientIpOf(resolve: ClientIpResolver): MiddlewareHandler<{ Variables: { clientIp: string | undefined } }> {
  return async function clientIpMiddleware(c, next) {
    c.set("clientIp", resolve(peerOf(c))?.slice(0, 64));
    await next();
  };
}

const clip = (v: string | undefined, n = 512) => (v ? v.slice(0, n) : undefined);

/** The audit actor for a management call; the admin UI forwards its browser's context. */
export function actorOf(c: Context<ApiEnv>, actor = "management_api"): Actor {
  return {
    actor,
    requestId: c.get("requestId"),
    correlationId: c.get("correlationId"),
    clientIp: c.get("clientIp"),
    method: c.req.method,
    path: c.req.path,
    userAgent: clip(c.req.header("x-forwarded-user-agent") ?? c.req.header("user-agent")),
    referer: clip(c.req.header("x-forwarded-referer")),
    origin: c.req.header("x-admin-origin") === "1" ? "admin-ui" : undefined,
  };
}
