import { Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AdminBackend } from "./backend/port.js";
import type { AssetUrls } from "./assets.js";
import { browserOf, type AdminContext, type AdminEnv, type Flash } from "./context.js";
import { isSession, newSessionId, storedSessionId, type Session, type SessionKeys } from "./session.js";
import type { LoginThrottle } from "./throttle.js";
import { LoginPage } from "./views/login.js";

export const SESSION_COOKIE = "llmproxy_session";
const FLASH_COOKIE = "llmproxy_flash";
const REMEMBER_MS = 30 * 86_400_000;
const BROWSER_SESSION_MS = 12 * 3_600_000;
const ANONYMOUS_MS = 2 * 3_600_000;

export interface AuthDeps {
  backend: AdminBackend;
  keys: SessionKeys;
  secureCookies: boolean;
  throttle: LoginThrottle;
  urls: AssetUrls;
  managementTokenFile?: (() => Promise<string | undefined>) | undefined;
}

function writeSession(c: AdminContext, deps: AuthDeps, session: Session): void {
  setCookie(c, SESSION_COOKIE, deps.keys.seal(session, SESSION_COOKIE), {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: deps.secureCookies,
    ...(session.remember ? { maxAge: Math.floor((session.exp - Date.now()) / 1000) } : {}),
  });
  c.set("session", session);
  c.set("csrf", deps.keys.csrfToken(session.sid));
}

/** A signed-out visitor's session: only a fresh id, so the login form can carry a CSRF token. */
function anonymousSession(c: AdminContext, deps: AuthDeps): Session {
  const session = { sid: newSessionId(), exp: Date.now() + ANONYMOUS_MS };
  writeSession(c, deps, session);
  return session;
}

/**
 * Reads the sealed session cookie (expired or tampered ones count as absent) and the one-time
 * flash. A signed-in session must also still be recorded server-side: signing out or rotating
 * the management token ends it on every instance, whatever copies of the cookie exist.
 */
export function sessionMiddleware(deps: AuthDeps): MiddlewareHandler<AdminEnv> {
  return async function adminSession(c, next) {
    const raw = getCookie(c, SESSION_COOKIE);
    const opened = raw ? deps.keys.open<unknown>(raw, SESSION_COOKIE) : undefined;
    let session = isSession(opened) && opened.exp > Date.now() ? opened : undefined;
    if (session?.token && !(await deps.backend.sessionActive({ token: session.token, browser: browserOf(c) }, storedSessionId(session.sid)))) {
      session = undefined;
      deleteCookie(c, SESSION_COOKIE, { path: "/", secure: deps.secureCookies });
    }
    c.set("session", session);
    c.set("csrf", session ? deps.keys.csrfToken(session.sid) : "");
    const flash = getCookie(c, FLASH_COOKIE);
    if (flash && c.req.method === "GET") {
      c.set("flash", deps.keys.open<Flash>(flash, FLASH_COOKIE));
      deleteCookie(c, FLASH_COOKIE, { path: "/" });
    }
    await next();
  };
}

/** A message for the next page the browser loads (after a redirect). */
export function setFlash(c: AdminContext, deps: Pick<AuthDeps, "keys" | "secureCookies">, flash: Flash): void {
  setCookie(c, FLASH_COOKIE, deps.keys.seal(flash, FLASH_COOKIE), {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: deps.secureCookies,
    maxAge: 60,
  });
}

/** Every page but the sign-in page: without a signed-in session, 303 to /auth/login. */
export function requireSignIn(): MiddlewareHandler<AdminEnv> {
  return async function adminRequireSignIn(c, next) {
    if (!c.get("session")?.token) return c.redirect("/auth/login", 303);
    await next();
  };
}

/** Unsafe methods must carry the session-bound CSRF token in the `_csrf` form field. */
export function csrfGuard(deps: AuthDeps, onReject: (c: AdminContext) => Response | Promise<Response>): MiddlewareHandler<AdminEnv> {
  return async function adminCsrfGuard(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const session = c.get("session");
    const type = c.req.header("content-type") ?? "";
    const form = type.includes("form") ? await c.req.parseBody() : {};
    const presented = typeof form._csrf === "string" ? form._csrf : undefined;
    if (!session || !deps.keys.checkCsrf(session.sid, presented)) return onReject(c);
    await next();
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `/auth/login` and `/auth/logout`. */
export function authRoutes(deps: AuthDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const page = async (c: AdminContext, status: 200 | 400 | 401 | 403 | 429, error?: string, remember?: boolean) => {
    const session = c.get("session") ?? anonymousSession(c, deps);
    const tokenFile = await deps.managementTokenFile?.();
    return c.html(<LoginPage urls={deps.urls} csrf={deps.keys.csrfToken(session.sid)} error={error} remember={remember} tokenFile={tokenFile} />, status);
  };

  app.get("/auth/login", (c) => {
    if (c.get("session")?.token) return c.redirect("/dashboard", 303);
    return page(c, 200);
  });

  app.post(
    "/auth/login",
    csrfGuard(deps, (c) => {
      anonymousSession(c, deps);
      return page(c, 403, "Your sign-in form expired. Please try again.");
    }),
    async (c) => {
      const form = await c.req.parseBody();
      const token = typeof form.management_token === "string" ? form.management_token.trim() : "";
      const remember = form.remember_me === "1" || form.remember_me === "on";
      const browser = browserOf(c);
      const ip = browser.clientIp ?? "unknown";
      const wait = deps.throttle.retryAfterMs(ip);
      if (wait > 0) {
        c.header("Retry-After", String(Math.ceil(wait / 1000)));
        return page(c, 429, `Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 1000)} seconds.`, remember);
      }
      if (token === "") return page(c, 400, "Please enter your management token", remember);
      if (!(await deps.backend.login(token, browser))) {
        await sleep(deps.throttle.failed(ip));
        return page(c, 401, "Invalid management token. Please check your token and try again.", remember);
      }
      deps.throttle.succeeded(ip);
      // A new id at sign-in: a session id planted before sign-in is worthless afterwards.
      const session = { sid: newSessionId(), token, exp: Date.now() + (remember ? REMEMBER_MS : BROWSER_SESSION_MS), remember };
      await deps.backend.startSession({ token, browser }, storedSessionId(session.sid), new Date(session.exp));
      writeSession(c, deps, session);
      return c.redirect("/dashboard", 303);
    },
  );

  const logout = async (c: AdminContext) => {
    const session = c.get("session");
    // Not swallowed: if the session cannot be ended server-side, the admin must not believe it was.
    if (session?.token) await deps.backend.logout({ token: session.token, browser: browserOf(c) }, storedSessionId(session.sid));
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: deps.secureCookies });
    return c.redirect("/auth/login", 303);
  };
  // GET stays for the original's suite and bookmarks; signing someone out is all it can do.
  app.get("/auth/logout", logout);
  app.post(
    "/auth/logout",
    csrfGuard(deps, (c) => c.redirect("/dashboard", 303)),
    logout,
  );
  return app;
}
