import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { clientIpResolver, type ClientIpResolver } from "../api/client-ip.js";
import { clientIpOf } from "../api/context.js";
import { AppError, isDatabaseOutage, nulPath, nulRefused } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { adminAssets } from "./assets.js";
import { authRoutes, csrfGuard, requireSignIn, sessionMiddleware, setFlash, SESSION_COOKIE, type AuthDeps } from "./auth.js";
import type { AdminBackend } from "./backend/port.js";
import type { AdminContext, AdminEnv } from "./context.js";
import { auditRoutes } from "./routes/audit.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import type { RouteDeps } from "./routes/deps.js";
import { projectRoutes } from "./routes/projects.js";
import { tokenRoutes } from "./routes/tokens.js";
import { sessionKeys } from "./session.js";
import { loginThrottle, type ThrottleOptions } from "./throttle.js";
import { ErrorPage } from "./views/error.js";
import type { PageFrame } from "./views/layout.js";

export interface AdminOptions {
  backend: AdminBackend;
  /** Cookie encryption and CSRF keys are derived from it; instances sharing it share sessions. */
  sessionSecret: string;
  /** Mark cookies Secure (the UI is served over HTTPS, directly or behind a TLS-terminating proxy). */
  secureCookies: boolean;
  /** The proxy's base URL as clients reach it, shown in the token usage snippets. */
  publicApiBaseUrl: string;
  version: string;
  logger?: Logger;
  loginThrottle?: ThrottleOptions;
  /** The client-IP rule (TRUSTED_PROXIES); default: the socket address. */
  clientIp?: ClientIpResolver;
  /** Larger request bodies get 413 before anything reads them (MANAGEMENT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** The file holding the current management token, if there is one now (the sign-in page names it). */
  managementTokenFile?: () => Promise<string | undefined>;
}

// Inline onclick confirms are the original suite's contract, hence 'unsafe-inline' for scripts;
// every interpolated value is escaped by hono/jsx, and nothing is loaded from another origin.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

/** The admin UI: server-rendered pages on their own listener, over the management plane's verbs. */
export function createAdminApp(opts: AdminOptions): Hono<AdminEnv> {
  const assets = adminAssets();
  const keys = sessionKeys(opts.sessionSecret);
  const auth: AuthDeps = {
    backend: opts.backend,
    keys,
    secureCookies: opts.secureCookies,
    throttle: loginThrottle(opts.loginThrottle),
    urls: assets.urls,
    managementTokenFile: opts.managementTokenFile,
  };
  const frame = (c: AdminContext): PageFrame => ({ urls: assets.urls, version: opts.version, csrf: c.get("csrf"), flash: c.get("flash") });
  const deps: RouteDeps = {
    backend: opts.backend,
    frame,
    flash: (c, f) => setFlash(c, auth, f),
    publicApiBaseUrl: opts.publicApiBaseUrl,
  };

  const app = new Hono<AdminEnv>();
  app.use("*", async function adminHeaders(c, next) {
    c.set("requestId", randomUUID());
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.header("Content-Security-Policy", CSP);
      c.header("X-Frame-Options", "DENY");
      if (!c.res.headers.has("cache-control")) c.header("Cache-Control", "no-cache, private");
    }
  });
  // Before the session and CSRF checks, which parse form bodies: nothing unbounded is read, signed in or not.
  const maxBodyBytes = opts.maxBodyBytes ?? 1_048_576;
  app.use(
    "*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new AppError("payload_too_large", `The request body exceeds ${maxBodyBytes} bytes.`);
      },
    }),
  );
  app.use("*", clientIpOf(opts.clientIp ?? clientIpResolver({ kind: "none" })));
  app.route("/", assets.routes);
  app.get("/health", async (c) => {
    const backend = await opts.backend.health().catch(() => ({ status: "down" as const, detail: { error: "Backend unavailable" } }));
    return c.json({
      admin: { status: "ok", timestamp: new Date().toISOString(), service: "admin-ui", version: opts.version },
      backend: backend.detail ?? { status: backend.status },
    });
  });
  app.use("*", sessionMiddleware(auth));
  app.route("/", authRoutes(auth));
  app.get("/", (c) => c.redirect("/dashboard", 301));

  const pages = new Hono<AdminEnv>();
  pages.use("*", requireSignIn());
  // PostgreSQL text cannot hold NUL: refuse it in ids and filters before any query (else a 500).
  pages.use("*", async (c, next) => {
    const nul = /%00|\0/.test(c.req.path) ? "the address" : nulPath(c.req.queries());
    if (nul !== undefined) throw nulRefused(nul);
    await next();
  });
  pages.use(
    "*",
    csrfGuard(auth, (c) => c.html(<ErrorPage frame={frame(c)} status={403} message="The form was not accepted (missing or invalid CSRF token). Reload the page and try again." />, 403)),
  );
  pages.route("/", dashboardRoutes(deps));
  pages.route("/", projectRoutes(deps));
  pages.route("/", tokenRoutes(deps));
  pages.route("/", auditRoutes(deps));
  app.route("/", pages);

  app.notFound((c) => {
    if (!c.get("session")?.token) return c.redirect("/auth/login", 303);
    return c.html(<ErrorPage frame={frame(c)} status={404} message="There is no such page." />, 404);
  });
  app.onError((err, c) => {
    if (err instanceof AppError && err.status === 401) {
      // The management token changed or the API refused it: the session is worthless.
      c.header("Set-Cookie", `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
      return c.redirect("/auth/login", 303);
    }
    if (err instanceof AppError && err.status < 500) return c.html(<ErrorPage frame={frame(c)} status={err.status} message={err.message} />, err.status);
    if (err instanceof HTTPException && err.status < 500) return c.html(<ErrorPage frame={frame(c)} status={err.status} message={err.message || "Bad request"} />, err.status);
    if (isDatabaseOutage(err) || (err instanceof AppError && err.status === 503)) {
      const message = err instanceof AppError ? err.message : "The database is not answering. Try again in a moment.";
      return c.html(<ErrorPage frame={frame(c)} status={503} message={message} />, 503);
    }
    opts.logger?.error({ err, path: c.req.path }, "admin ui error");
    return c.html(<ErrorPage frame={frame(c)} status={500} message="The page could not be loaded. The error has been logged." />, 500);
  });
  return app;
}
