import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { RESPONSE_BODY_CAP } from "@llm-proxy/events";
import { peerOfRequest, type ClientIpResolver } from "../api/client-ip.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { UsageRecorder } from "../usage/recorder.js";
import type { Access, ActiveToken } from "./access.js";
import { checkParams, isJson, readBody } from "./body.js";
import { CircuitBreaker } from "./breaker.js";
import { ProxyError } from "./errors.js";
import { finishRequest, type Exchange } from "./finish.js";
import type { Upstreams } from "./forward.js";
import { corsHeaders, nowNanos, preflightHeaders, upstreamHeaders } from "./headers.js";
import type { Provider } from "./providers.js";
import type { EventBus } from "../bus/port.js";
import type { RateLimiter } from "../ratelimit/port.js";
import type { ResponseCacheStore } from "../cache/port.js";
import { cacheKey, hashBody, lookupPlan, responseHeaders, serveDecision, storeDecision, type StoreOptions } from "../cache/policy.js";

export interface GatewayDeps {
  providers: Provider[];
  access: Access;
  upstreams: Upstreams;
  usage: UsageRecorder;
  bus: EventBus;
  metrics: Metrics;
  logger: Logger;
  /** The client-IP rule (TRUSTED_PROXIES) for audit rows. */
  clientIp: ClientIpResolver;
  /** Writes the `proxy_request` audit row for refused requests to inactive projects. */
  auditDenied(row: { projectId: string; requestId: string; clientIp: string | undefined; userAgent: string | undefined; method: string; path: string; reason: string }): Promise<void>;
  maxBodyBytes: number;
  enforceProjectActive: boolean;
  observability: boolean;
  breaker: { threshold: number; cooldownMs: number };
  limiter: RateLimiter;
  rateLimit: { defaultRpm: number; failMode: "open" | "closed" };
  /** The HTTP response cache, when enabled. */
  cache: { store: ResponseCacheStore; shared: boolean; policy: StoreOptions } | undefined;
}

/** Paths that try to leave the endpoint allow-list through dot segments or encoded separators. */
const UNSAFE_PATH = /(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\|\/\//i;

export interface Gateway {
  /** The provider that serves this URL path, if any. */
  match(path: string): Provider | undefined;
  handle(req: IncomingMessage, res: ServerResponse, provider: Provider): Promise<void>;
  /** Resolves once every ended request has recorded its usage and published its event. */
  settled(): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const byMount = [...deps.providers].sort((a, b) => b.mount.length - a.mount.length);
  // Usage and events of ended requests still being counted (the tokenizer is async): shutdown waits.
  const finishing = new Set<Promise<void>>();
  const breakers = new Map(deps.providers.map((p) => [p.name, new CircuitBreaker(deps.breaker.threshold, deps.breaker.cooldownMs)]));

  function match(path: string): Provider | undefined {
    for (const p of byMount) {
      const prefix = p.mount + "/v1";
      if (path === prefix || path.startsWith(prefix + "/") || path.startsWith(prefix + "?")) return p;
    }
    return undefined;
  }

  function sendError(x: Exchange, err: ProxyError): void {
    x.errorCode = err.code;
    x.status = err.status;
    deps.metrics.proxyErrors.inc({ code: err.code });
    if (x.res.headersSent) return void x.res.destroy();
    const body = err.body();
    x.res.writeHead(err.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-request-id": x.requestId,
      ...corsHeaders(x.origin),
      ...err.headers,
    });
    x.res.end(body);
  }

  async function checkRate(token: ActiveToken): Promise<void> {
    const rpm = token.rateLimitRpm ?? deps.rateLimit.defaultRpm;
    if (rpm <= 0) return;
    let decision;
    try {
      decision = await deps.limiter.hit(token.id, rpm, 60_000);
    } catch {
      deps.metrics.rateLimit.inc({ outcome: `unavailable_fail_${deps.rateLimit.failMode}` });
      if (deps.rateLimit.failMode === "closed") throw new ProxyError("service_unavailable", "rate limiter unavailable");
      return;
    }
    if (decision.allowed) return;
    deps.metrics.rateLimit.inc({ outcome: "limited" });
    throw new ProxyError("rate_limit_exceeded", `more than ${rpm} requests per minute`, {
      headers: { "retry-after": String(Math.ceil(decision.retryAfterMs / 1000)) },
    });
  }

  async function pipeline(x: Exchange, req: IncomingMessage): Promise<void> {
    const p = x.provider;
    const breaker = breakers.get(p.name) as CircuitBreaker;
    if (breaker.isOpen()) throw new ProxyError("circuit_open");
    if (!p.allowedMethods.has(x.method)) throw new ProxyError("method_not_allowed", undefined, { headers: { allow: [...p.allowedMethods].join(", ") } });
    if (UNSAFE_PATH.test(x.upstreamPath) || !p.allowedEndpoints.some((e) => x.upstreamPath.startsWith(e))) {
      throw new ProxyError("endpoint_not_found");
    }

    const contentLength = Number(req.headers["content-length"] ?? 0);
    if (contentLength > deps.maxBodyBytes) throw new ProxyError("payload_too_large", `request body exceeds ${deps.maxBodyBytes} bytes`);
    const hasBody = x.method !== "GET" && x.method !== "HEAD" && (contentLength > 0 || req.headers["transfer-encoding"] !== undefined);
    if (hasBody && isJson(req.headers["content-type"])) {
      x.body = await readBody(req, deps.maxBodyBytes);
      if (x.body.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(x.body.toString("utf8"));
        } catch {
          if (p.paramWhitelist.size > 0) throw new ProxyError("invalid_request", "request body is not valid JSON");
        }
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
          const obj = parsed as Record<string, unknown>;
          if (typeof obj.model === "string") x.model = obj.model.slice(0, 200);
          if (x.method === "POST") checkParams(obj, p.paramWhitelist, p.paramPatterns);
        }
      }
    }

    if (x.origin !== undefined && p.allowedOrigins.size > 0 && !p.allowedOrigins.has(x.origin)) throw new ProxyError("origin_not_allowed");
    for (const h of p.requiredHeaders) {
      if (req.headers[h] !== undefined) continue;
      if (h === "origin") throw new ProxyError("origin_required");
      throw new ProxyError("header_required", undefined, { message: `Header '${h}' required` });
    }

    const auth = req.headers.authorization ?? "";
    const space = auth.indexOf(" ");
    const secret = space > 0 && auth.slice(0, space).toLowerCase() === "bearer" ? auth.slice(space + 1).trim() : "";
    if (!secret) throw new ProxyError("invalid_token", "missing or malformed Authorization header");
    const token: ActiveToken = await deps.access.token(secret);
    x.token = token;

    const project = await deps.access.project(token.projectId);
    if (deps.enforceProjectActive && !project.isActive) {
      await deps
        .auditDenied({ projectId: token.projectId, requestId: x.requestId, clientIp: deps.clientIp(peerOfRequest(req)), userAgent: req.headers["user-agent"], method: x.method, path: x.path, reason: "project_inactive" })
        .catch((err: unknown) => deps.logger.error({ err }, "audit write failed"));
      throw new ProxyError("project_inactive");
    }

    // Cache hits are answered before the rate limit and the quota: they cost the upstream nothing.
    if (deps.cache && (await lookup(x, req, deps.cache, hasBody, contentLength))) return;

    // Before the quota: a request refused for its rate should not spend the token's quota.
    await checkRate(token);
    if (token.limited) await deps.access.consume(secret, token);
    if (!project.apiKey) throw new ProxyError("upstream_auth_error", "failed to load upstream API key");

    const body = x.body ?? (hasBody ? req : undefined);
    x.forwardedAt = performance.now();
    const upstreamStart = nowNanos();
    const result = await deps.upstreams.forward({
      provider: p,
      method: x.method,
      path: p.basePath + x.upstreamPath + x.query,
      headers: upstreamHeaders(req.headers, p, project.apiKey, { requestId: x.requestId, projectId: token.projectId }, x.body?.length),
      body,
      res: x.res,
      captureBytes: Math.max(deps.observability ? RESPONSE_BODY_CAP : 0, x.cache && deps.cache ? deps.cache.policy.maxObjectBytes + 1 : 0),
      extraHeaders: (status, upstream) => {
        const streaming = String(upstream["content-type"] ?? "").includes("text/event-stream");
        const first = new Date().toISOString();
        const h: OutgoingHttpHeaders = {
          "x-proxy": "llm-proxy",
          "x-request-id": x.requestId,
          "x-proxy-received-at": x.receivedAt.toISOString(),
          "x-proxy-first-response-at": first,
          "x-proxy-final-response-at": first,
          "x-upstream-request-stop": nowNanos(),
          ...corsHeaders(x.origin),
        };
        if (!streaming) h["x-upstream-request-start"] = upstreamStart;
        if (x.cache && deps.cache) Object.assign(h, storeHeaders(x, status, upstream, streaming, deps.cache.policy));
        else if (deps.cache) Object.assign(h, responseHeaders("miss", ""));
        return h;
      },
    });
    x.result = result;
    x.status = result.status;
    // A client that left is not the upstream's failure; anything else that broke the answer is.
    if (result.failure && result.failure.code !== "canceled") {
      x.status = result.failure.status;
      x.errorCode = result.failure.code;
      deps.metrics.proxyErrors.inc({ code: result.failure.code });
    }
    breaker.record(result.status);
    if (x.cache?.store && deps.cache && x.res.writableFinished && !result.tee.truncated) {
      const d = x.cache.store;
      const now = Date.now();
      await deps.cache.store.set(
        x.cache.key,
        { status: result.status, headers: d.headers, body: result.tee.captured(), storedAt: now, expiresAt: now + d.ttlMs, vary: d.vary, forced: d.forced },
        d.ttlMs,
        { projectId: x.token?.projectId ?? "", method: x.method === "HEAD" ? "GET" : x.method, url: x.path + x.query },
      );
      deps.metrics.cache.inc({ outcome: "stored" });
    }
  }

  /** Looks the request up in the cache; answers it and returns true on a hit. */
  async function lookup(x: Exchange, req: IncomingMessage, cache: NonNullable<GatewayDeps["cache"]>, hasBody: boolean, contentLength: number): Promise<boolean> {
    const plan = lookupPlan({ method: x.method, headers: req.headers, bodyLength: hasBody ? (x.body?.length ?? (contentLength || undefined)) : 0, maxBodyBytes: cache.policy.maxObjectBytes });
    if (plan.kind === "skip") {
      deps.metrics.cache.inc({ outcome: "miss" });
      return false;
    }
    if (plan.needsBodyHash && !x.body) x.body = await readBody(req, deps.maxBodyBytes);
    const key = cacheKey({
      method: x.method,
      url: x.path + x.query,
      scope: cache.shared ? "shared" : (x.token as ActiveToken).projectId,
      varyHeaders: req.headers,
      bodyHash: plan.needsBodyHash ? hashBody(x.body ?? Buffer.alloc(0)) : undefined,
      forcedTtlSeconds: plan.forcedTtlSeconds,
    });
    x.cache = { key, forcedTtlSeconds: plan.forcedTtlSeconds, outcome: "miss" };
    if (plan.revalidate) return false;
    const entry = await cache.store.get(key);
    const decision = entry ? serveDecision(entry, { method: x.method, headers: req.headers, now: Date.now(), shared: cache.shared }).kind : "miss";
    x.cache.outcome = decision;
    deps.metrics.cache.inc({ outcome: decision === "conditional-hit" ? "hit" : decision });
    if (!entry || (decision !== "hit" && decision !== "conditional-hit")) return false;
    const now = new Date().toISOString();
    const status = decision === "conditional-hit" ? 304 : entry.status;
    const body = status === 304 || x.method === "HEAD" ? undefined : entry.body;
    x.status = status;
    x.res.writeHead(status, {
      ...entry.headers,
      ...(body ? { "content-length": String(body.length) } : {}),
      "x-proxy": "llm-proxy",
      "x-request-id": x.requestId,
      "x-proxy-received-at": x.receivedAt.toISOString(),
      "x-proxy-first-response-at": now,
      "x-proxy-final-response-at": now,
      ...corsHeaders(x.origin),
      ...responseHeaders(decision, key),
    });
    x.res.end(body);
    return true;
  }

  function storeHeaders(x: Exchange, status: number, upstream: Record<string, string | string[] | undefined>, streaming: boolean, policy: StoreOptions): OutgoingHttpHeaders {
    const c = x.cache as NonNullable<Exchange["cache"]>;
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(upstream)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
    const length = flat["content-length"] !== undefined ? Number(flat["content-length"]) : undefined;
    const d = storeDecision({ method: x.method, headers: x.req.headers, forcedTtlSeconds: c.forcedTtlSeconds }, { status, headers: flat, streaming, bodyBytes: length }, policy);
    if (!d.store) return { ...responseHeaders(c.outcome === "bypass" ? "bypass" : "miss", c.key), "x-cache-debug": d.reason };
    c.store = d;
    // A stream is already on its way when it is stored: this response itself was a miss.
    if (streaming) return { ...responseHeaders("miss", c.key), "x-cache-debug": "streaming-response" };
    return responseHeaders(d.forced ? "stored-forced" : "stored", c.key);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, provider: Provider): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const x: Exchange = {
      req,
      res,
      provider,
      requestId: randomUUID(),
      method: (req.method ?? "GET").toUpperCase(),
      path,
      upstreamPath: path.slice(provider.mount.length),
      query: q === -1 ? "" : url.slice(q),
      origin: typeof req.headers.origin === "string" ? req.headers.origin : undefined,
      receivedAt: new Date(),
      startedAt: performance.now(),
      status: 0,
    };
    if (x.method === "OPTIONS") {
      res.writeHead(204, { "x-request-id": x.requestId, ...preflightHeaders(x.origin, req.headers["access-control-request-headers"]) });
      res.end();
      return;
    }
    deps.metrics.inFlight.inc();
    try {
      await pipeline(x, req);
    } catch (err) {
      if (err instanceof ProxyError) {
        if (err.status === 502 || err.status === 504) {
          breakers.get(provider.name)?.record(err.status);
          deps.logger.warn({ request_id: x.requestId, provider: provider.name, code: err.code, reason: err.description }, "upstream request failed");
        }
        sendError(x, err);
      } else {
        deps.logger.error({ err, request_id: x.requestId }, "data plane failure");
        sendError(x, new ProxyError("upstream_error"));
      }
    } finally {
      deps.metrics.inFlight.dec();
    }
    finishRequest(x, deps, finishing);
  }

  async function settled(): Promise<void> {
    while (finishing.size > 0) await Promise.allSettled([...finishing]);
  }

  return { match, handle, settled };
}

