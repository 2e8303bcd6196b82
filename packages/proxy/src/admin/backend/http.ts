import type { AuditPage, AuditView } from "../../audit/verbs.js";
import { AppError, type ErrorCode } from "../../errors.js";
import type { BulkRevokeResult, ProjectView } from "../../projects/verbs.js";
import type { CreatedToken, TokenView } from "../../tokens/verbs.js";
import type { UsageReport } from "../../usage/verbs.js";
import type { AdminBackend, BackendHealth, BrowserInfo, CallContext } from "./port.js";

const CODES: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
  503: "service_unavailable",
};

export interface HttpBackendOptions {
  /** Per-call timeout; the management API answers from its database, so this is generous. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The headers through which the management API records the admin's browser in its audit rows. */
function forwarded(browser: BrowserInfo): Record<string, string> {
  const h: Record<string, string> = { "X-Admin-Origin": "1" };
  if (browser.userAgent) h["X-Forwarded-User-Agent"] = browser.userAgent;
  if (browser.referer) h["X-Forwarded-Referer"] = browser.referer;
  if (browser.clientIp) h["X-Forwarded-For"] = browser.clientIp;
  if (browser.requestId) h["X-Request-ID"] = browser.requestId;
  return h;
}

/**
 * Calls `/manage/*` over HTTP with the session's management token (the standalone
 * `llm-proxy admin --api-base-url …`). API errors come back as `AppError` with the API's message.
 */
export function httpBackend(apiBaseUrl: string, opts: HttpBackendOptions = {}): AdminBackend {
  const base = apiBaseUrl.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const doFetch = opts.fetch ?? fetch;

  async function call<T>(token: string, browser: BrowserInfo, method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...forwarded(browser),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new AppError("service_unavailable", "the management API is unreachable");
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const message = (parsed as { error?: unknown } | undefined)?.error;
      throw new AppError(CODES[res.status] ?? "internal_error", typeof message === "string" ? message : `management API answered ${res.status}`);
    }
    return parsed as T;
  }

  const q = (query: Record<string, string>) => {
    const s = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "")).toString();
    return s ? `?${s}` : "";
  };
  const id = encodeURIComponent;
  const as = <T>(ctx: CallContext, method: string, path: string, body?: unknown) => call<T>(ctx.token, ctx.browser, method, path, body);

  return {
    async login(token, browser) {
      if (token === "") return false;
      try {
        await call(token, browser, "GET", "/manage/projects");
        return true;
      } catch (err) {
        if (err instanceof AppError && err.status === 401) return false;
        throw err;
      }
    },
    startSession: (ctx, sid, expiresAt) => as<void>(ctx, "POST", "/manage/admin/sessions", { id: sid, expires_at: expiresAt.toISOString() }),
    async sessionActive(ctx, sid) {
      try {
        await as<unknown>(ctx, "GET", `/manage/admin/sessions/${id(sid)}`);
        return true;
      } catch (err) {
        if (err instanceof AppError && (err.status === 404 || err.status === 401)) return false;
        throw err;
      }
    },
    logout: (ctx, sid) => as<void>(ctx, "DELETE", `/manage/admin/sessions/${id(sid)}`),
    listProjects: (ctx) => as<ProjectView[]>(ctx, "GET", "/manage/projects"),
    getProject: (ctx, pid) => as<ProjectView>(ctx, "GET", `/manage/projects/${id(pid)}`),
    createProject: (ctx, input) => as<ProjectView>(ctx, "POST", "/manage/projects", input),
    updateProject: (ctx, pid, patch) => as<ProjectView>(ctx, "PATCH", `/manage/projects/${id(pid)}`, patch),
    revokeProjectTokens: (ctx, pid) => as<BulkRevokeResult>(ctx, "POST", `/manage/projects/${id(pid)}/tokens/revoke`),
    listTokens: (ctx, projectId) => as<TokenView[]>(ctx, "GET", `/manage/tokens${projectId ? q({ projectId }) : ""}`),
    getToken: (ctx, tid) => as<TokenView>(ctx, "GET", `/manage/tokens/${id(tid)}`),
    createToken: (ctx, input) => as<CreatedToken>(ctx, "POST", "/manage/tokens", input),
    updateToken: (ctx, tid, patch) => as<TokenView>(ctx, "PATCH", `/manage/tokens/${id(tid)}`, patch),
    revokeToken: (ctx, tid) => as<void>(ctx, "DELETE", `/manage/tokens/${id(tid)}`),
    listAudit: (ctx, query) => as<AuditPage>(ctx, "GET", `/manage/audit${q(query)}`),
    getAudit: (ctx, aid) => as<AuditView>(ctx, "GET", `/manage/audit/${id(aid)}`),
    getUsage: (ctx, query) => as<UsageReport>(ctx, "GET", `/manage/usage${q(query)}`),
    async health(): Promise<BackendHealth> {
      try {
        const res = await doFetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
        const detail = (await res.json().catch(() => undefined)) as unknown;
        return { status: res.ok ? "ok" : "down", detail };
      } catch {
        return { status: "down", detail: { status: "down", error: "Backend unavailable" } };
      }
    },
  };
}
