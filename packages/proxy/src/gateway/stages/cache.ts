import type { OutgoingHttpHeaders } from "node:http";
import { cacheKey, hashBody, lookupPlan, responseHeaders, serveDecision, storeDecision } from "../../cache/policy.js";
import type { CacheDeps } from "../deps.js";
import type { CacheState, Exchange, Outcome } from "../exchange.js";
import type { Metrics } from "../../observability/metrics.js";
import { corsHeaders, isoTime } from "../headers.js";
import { readBody } from "./body.js";

type Deps = { cache: CacheDeps | undefined; metrics: Metrics; maxBodyBytes: number };

/**
 * The only stage that reads or writes cache state (`x.cache`). Looks the request up and answers
 * a hit itself: a hit reaches neither the rate limit nor the quota nor the upstream.
 */
export function cache(x: Exchange, deps: Deps): Outcome | Promise<Outcome> {
  const c = deps.cache;
  if (!c) return "continue";
  const req = x.req;
  const plan = lookupPlan({ method: x.method, headers: req.headers, bodyLength: x.hasBody ? (x.body?.length ?? (x.declaredLength || undefined)) : 0, maxBodyBytes: c.policy.maxObjectBytes });
  if (plan.kind === "skip") {
    deps.metrics.cache.inc({ outcome: "miss" });
    return "continue";
  }
  return (async (): Promise<Outcome> => {
    if (plan.needsBodyHash && !x.body) {
      const read = await readBody(req, deps.maxBodyBytes);
      if (!Buffer.isBuffer(read)) return read;
      x.body = read;
    }
    const key = cacheKey({
      method: x.method,
      url: x.path + x.query,
      scope: c.shared ? "shared" : (x.token?.projectId ?? ""),
      varyHeaders: req.headers,
      bodyHash: plan.needsBodyHash ? hashBody(x.body ?? Buffer.alloc(0)) : undefined,
      forcedTtlSeconds: plan.forcedTtlSeconds,
    });
    const state: CacheState = { key, forcedTtlSeconds: plan.forcedTtlSeconds, outcome: "miss" };
    x.cache = state;
    if (plan.revalidate) return "continue";
    const entry = await c.store.get(key);
    const decision = entry ? serveDecision(entry, { method: x.method, headers: req.headers, now: Date.now(), shared: c.shared }).kind : "miss";
    state.outcome = decision;
    deps.metrics.cache.inc({ outcome: decision === "conditional-hit" ? "hit" : decision });
    if (!entry || (decision !== "hit" && decision !== "conditional-hit")) return "continue";
    const now = isoTime(Date.now());
    const status = decision === "conditional-hit" ? 304 : entry.status;
    const body = status === 304 || x.method === "HEAD" ? undefined : entry.body;
    x.status = status;
    x.res.writeHead(status, {
      ...entry.headers,
      ...(body ? { "content-length": String(body.length) } : {}),
      "x-proxy": "llm-proxy",
      "x-request-id": x.requestId,
      "x-proxy-received-at": isoTime(x.receivedAt),
      "x-proxy-first-response-at": now,
      "x-proxy-final-response-at": now,
      ...corsHeaders(x.origin),
      ...responseHeaders(decision, key),
    });
    x.res.end(body);
    return "answered";
  })();
}

/** The cache headers of a forwarded answer; decides (in `x.cache`) whether it will be stored. */
export function cacheHeaders(x: Exchange, deps: Pick<Deps, "cache">, status: number, upstream: Record<string, string>, streaming: boolean): OutgoingHttpHeaders {
  if (!deps.cache) return {};
  const c = x.cache;
  if (!c) return responseHeaders("miss", "");
  const length = upstream["content-length"] !== undefined ? Number(upstream["content-length"]) : undefined;
  const d = storeDecision({ method: x.method, headers: x.req.headers, forcedTtlSeconds: c.forcedTtlSeconds }, { status, headers: upstream, streaming, bodyBytes: length }, deps.cache.policy);
  if (!d.store) return { ...responseHeaders(c.outcome === "bypass" ? "bypass" : "miss", c.key), "x-cache-debug": d.reason };
  c.store = d;
  // A stream is already on its way when it is stored: this response itself was a miss.
  if (streaming) return { ...responseHeaders("miss", c.key), "x-cache-debug": "streaming-response" };
  return responseHeaders(d.forced ? "stored-forced" : "stored", c.key);
}

/** How many bytes of the answer the cache needs kept: one more than it may store, or none. */
export function cacheCaptureBytes(x: Exchange, deps: Pick<Deps, "cache">): number {
  return x.cache && deps.cache ? deps.cache.policy.maxObjectBytes + 1 : 0;
}

/** Stores a forwarded answer that was decided storable and arrived whole. */
export async function cacheStore(x: Exchange, deps: Pick<Deps, "cache" | "metrics">): Promise<void> {
  const d = x.cache?.store;
  const r = x.result;
  if (!d || !deps.cache || !r || !x.res.writableFinished || r.tee.truncated) return;
  const now = Date.now();
  await deps.cache.store.set(
    (x.cache as CacheState).key,
    { status: r.status, headers: d.headers, body: r.tee.captured(), storedAt: now, expiresAt: now + d.ttlMs, vary: d.vary, forced: d.forced },
    d.ttlMs,
    { projectId: x.token?.projectId ?? "", method: x.method === "HEAD" ? "GET" : x.method, url: x.path + x.query },
  );
  deps.metrics.cache.inc({ outcome: "stored" });
}
