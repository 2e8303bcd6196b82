import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { AppError } from "../errors.js";
import type { BrowserInfo, CallContext } from "./backend/port.js";
import type { Session } from "./session.js";

export interface Flash {
  kind: "success" | "danger" | "warning" | "info";
  text: string;
}

export type AdminEnv = {
  Variables: {
    requestId: string;
    session: Session | undefined;
    csrf: string;
    flash: Flash | undefined;
    clientIp: string | undefined;
  };
};

export type AdminContext = Context<AdminEnv>;

const clip = (v: string | undefined, n = 512) => (v ? v.slice(0, n) : undefined);

/** The admin's browser as the audit trail should see it. */
export function browserOf(c: AdminContext): BrowserInfo {
  return {
    clientIp: c.get("clientIp"),
    userAgent: clip(c.req.header("user-agent")),
    referer: clip(c.req.header("referer")),
    requestId: c.get("requestId") ?? randomUUID(),
    method: c.req.method,
    path: c.req.path,
  };
}

/** The backend call context of a signed-in request (the sign-in guard runs before every page). */
export function callOf(c: AdminContext): CallContext {
  const token = c.get("session")?.token;
  if (!token) throw new AppError("unauthorized", "not signed in");
  return { token, browser: browserOf(c) };
}
