import { createHash } from "node:crypto";
import { clampTtl, directives, headerValue, isShareable, optInTtl, seconds, type RequestHeaders } from "./directives.js";
import { indexMethod, type CachedResponse } from "./port.js";

/** Request headers every key varies on, at lookup and at store alike (the original's set). */
export const KEY_HEADERS = ["accept", "accept-encoding", "accept-language"] as const;

/** Bumped when the key derivation changes, so that old entries are simply never found. */
const KEY_VERSION = "llm-proxy/cache/1";

/** SHA-256 hex of a request body, exactly the bytes the client sent (the `bodyHash` of `cacheKey`). */
export function hashBody(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

/**
 * The same SHA-256 hex for requests that may share an answer: method (HEAD as GET), path,
 * query sorted by name then value, scope, the `KEY_HEADERS` (other entries of `varyHeaders`
 * are ignored), body hash and, except for GET/HEAD, the forced TTL.
 */
export function cacheKey(input: {
  method: string;
  url: string;
  scope: string;
  varyHeaders: RequestHeaders;
  bodyHash?: string | undefined;
  forcedTtlSeconds?: number | undefined;
}): string {
  const method = indexMethod(input.method);
  const q = input.url.indexOf("?");
  const path = q === -1 ? input.url : input.url.slice(0, q);
  const params = new URLSearchParams(q === -1 ? "" : input.url.slice(q + 1));
  const query = [...new Set(params.keys())].sort().map((name) => [name, params.getAll(name).sort()]);
  const parts = [
    KEY_VERSION,
    method,
    path,
    query,
    input.scope,
    KEY_HEADERS.map((name) => headerValue(input.varyHeaders, name)),
    input.bodyHash ?? "",
    method === "GET" ? "" : String(input.forcedTtlSeconds ?? ""),
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export type LookupPlan =
  | { kind: "skip" }
  | { kind: "lookup"; forcedTtlSeconds?: number; needsBodyHash: boolean; revalidate: boolean };

const SKIP: LookupPlan = { kind: "skip" };

/**
 * Whether to consult the cache: GET/HEAD always; POST only on the client's opt-in
 * (`Cache-Control: public` with `max-age`/`s-maxage` > 0) with a known body length within
 * `maxBodyBytes`. `revalidate` (client `no-cache` or `max-age=0`) means: skip the entry but
 * let the fresh answer be stored.
 */
export function lookupPlan(req: { method: string; headers: RequestHeaders; bodyLength: number | undefined; maxBodyBytes: number }): LookupPlan {
  const method = req.method.toUpperCase();
  // The usual request: a POST that did not opt in is never looked up.
  if (method === "POST" && req.headers["cache-control"] === undefined) return SKIP;
  const cc = directives(req.headers["cache-control"]);
  const forcedTtlSeconds = optInTtl(cc);
  const pragma = req.headers["cache-control"] === undefined && /no-cache/i.test(headerValue(req.headers, "pragma"));
  const revalidate = cc.has("no-cache") || cc.get("max-age") === "0" || pragma;
  const ttl = forcedTtlSeconds === undefined ? {} : { forcedTtlSeconds };
  if (method === "GET" || method === "HEAD") return { kind: "lookup", ...ttl, needsBodyHash: false, revalidate };
  if (method !== "POST" || forcedTtlSeconds === undefined) return SKIP;
  if (req.bodyLength === undefined || req.bodyLength > req.maxBodyBytes) return SKIP;
  return { kind: "lookup", forcedTtlSeconds, needsBodyHash: true, revalidate };
}

export type ServeDecision = { kind: "hit" } | { kind: "conditional-hit" } | { kind: "bypass" } | { kind: "miss" };

/**
 * Whether a stored entry answers this request: fresh and with the same values of the headers
 * its upstream named in `Vary`, else a miss; answered with 304 when the client's validators
 * match; a bypass when a forced entry meets a request that did not opt in likewise, or when a
 * shared-scope entry the upstream did not mark shareable meets an authenticated request. `shared` defaults to true (the cautious reading); pass false for
 * per-project scope, where every token of a project reaches the upstream with the same key.
 */
export function serveDecision(entry: CachedResponse, req: { method: string; headers: RequestHeaders; now: number; shared?: boolean }): ServeDecision {
  if (entry.expiresAt <= req.now) return { kind: "miss" };
  for (const [name, value] of Object.entries(entry.vary)) {
    if (headerValue(req.headers, name) !== value) return { kind: "miss" };
  }
  if (entry.forced && !optedInFor(entry, req.headers, req.now)) return { kind: "bypass" };
  const shared = req.shared ?? true;
  if (shared && req.headers.authorization !== undefined && !isShareable(directives(entry.headers["cache-control"]))) {
    return { kind: "bypass" };
  }
  const method = req.method.toUpperCase();
  if ((method === "GET" || method === "HEAD") && notModified(entry, req.headers)) return { kind: "conditional-hit" };
  return { kind: "hit" };
}

/**
 * A client's opt-in must not decide for the rest of the project: an entry stored only because
 * a client forced it answers only requests that opt in themselves (`public` with a lifetime)
 * and accept its age (request `max-age` semantics), never a plain request.
 */
function optedInFor(entry: CachedResponse, h: RequestHeaders, now: number): boolean {
  const ttl = optInTtl(directives(h["cache-control"]));
  return ttl !== undefined && now - entry.storedAt <= ttl * 1000;
}

/** RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since. */
function notModified(entry: CachedResponse, h: RequestHeaders): boolean {
  const inm = headerValue(h, "if-none-match");
  if (inm) {
    if (inm === "*") return true;
    const etag = entry.headers.etag;
    const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
    return etag !== undefined && inm.split(",").some((tag) => opaque(tag) === opaque(etag));
  }
  const since = Date.parse(headerValue(h, "if-modified-since"));
  const modified = Date.parse(entry.headers["last-modified"] ?? "");
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

export interface StoreOptions {
  defaultTtlSeconds: number;
  maxObjectBytes: number;
  streamResponses: boolean;
  /** Keys shared across projects: then only responses the upstream marked shareable (or forced) are kept. */
  shared?: boolean;
}

export type StoreDecision =
  | { store: true; ttlMs: number; forced: boolean; headers: Record<string, string>; vary: Record<string, string> }
  | { store: false; reason: string };

/** Never stored or replayed: per connection, per request, per client, or recomputed on a hit. */
const UNSTORED = new Set([
  "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
  "transfer-encoding", "upgrade", "set-cookie", "date", "age", "content-length", "x-request-id", "x-proxy", "x-proxy-id",
  "x-upstream-request-start", "x-upstream-request-stop", "x-proxy-received-at", "x-proxy-first-response-at",
  "x-proxy-final-response-at", "cache-status", "x-proxy-cache", "x-proxy-cache-key", "x-cache-debug",
]);
/** Request headers never recorded from `Vary`: the scope stands for the credential, CORS is per request. */
const UNVARIED = new Set(["authorization", "origin"]);

/**
 * Whether and for how long to keep an upstream response, decided when its headers arrive
 * (`bodyBytes` undefined when the length is not known yet: the caller bounds its capture).
 * Lifetime: upstream `s-maxage` > `max-age` > client opt-in (then `forced`, `Cache-Control`
 * rewritten to `public, max-age=N`) > `defaultTtlSeconds` for upstream `public` answers. `no-store` (either side) and
 * `private` always win. HEAD is never stored: it would leave an empty body under GET's key.
 */
export function storeDecision(
  req: { method: string; headers: RequestHeaders; forcedTtlSeconds?: number | undefined },
  res: { status: number; headers: Record<string, string>; streaming: boolean; bodyBytes: number | undefined },
  opts: StoreOptions,
): StoreDecision {
  const no = (reason: string): StoreDecision => ({ store: false, reason });
  const method = req.method.toUpperCase();
  const optIn = clampTtl(req.forcedTtlSeconds ?? 0) || undefined;
  if (method !== "GET" && !(method === "POST" && optIn)) return no("method-not-cacheable");
  if (res.status !== 200 && res.status !== 203) return no("status-not-cacheable");
  const cc = directives(res.headers["cache-control"]);
  if (cc.has("no-store") || directives(req.headers["cache-control"]).has("no-store")) return no("no-store");
  if (cc.has("private")) return no("private");
  const varyNames = (res.headers.vary ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean);
  if (varyNames.includes("*")) return no("vary-star");
  if (res.streaming && !(opts.streamResponses && optIn)) return no("streaming-response");
  if (res.bodyBytes !== undefined && res.bodyBytes > opts.maxObjectBytes) return no("too-large");
  const life = lifetime(cc, optIn, opts);
  if ("reason" in life) return no(life.reason);
  if (opts.shared && !life.forced && !isShareable(cc)) return no("not-shareable");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    const lower = name.toLowerCase();
    if (!UNSTORED.has(lower) && !lower.startsWith("access-control-")) headers[lower] = value;
  }
  if (life.forced) headers["cache-control"] = `public, max-age=${life.ttl}`;
  const vary: Record<string, string> = {};
  for (const name of varyNames) if (!UNVARIED.has(name)) vary[name] = headerValue(req.headers, name);
  return { store: true, ttlMs: life.ttl * 1000, forced: life.forced, headers, vary };
}

function lifetime(cc: Map<string, string>, optIn: number | undefined, opts: StoreOptions): { ttl: number; forced: boolean } | { reason: string } {
  // The client's explicit opt-in outlives an upstream `no-cache` or `max-age=0` (typical of SSE).
  if (cc.has("no-cache")) return optIn ? { ttl: optIn, forced: true } : { reason: "no-cache" };
  const upstream = cc.has("s-maxage") ? seconds(cc.get("s-maxage")) : seconds(cc.get("max-age"));
  if (upstream) return { ttl: upstream, forced: false };
  if (optIn) return { ttl: optIn, forced: true };
  if (upstream === 0) return { reason: "ttl-zero" };
  // Without a lifetime from either side only an explicit `public` earns the default: most API
  // GETs (a batch's or a response's status) change, and an unasked-for stale answer is a bug.
  if (!cc.has("public")) return { reason: "no-freshness" };
  const ttl = clampTtl(opts.defaultTtlSeconds);
  return ttl > 0 ? { ttl, forced: false } : { reason: "ttl-zero" };
}

export type CacheOutcome = "hit" | "miss" | "bypass" | "conditional-hit" | "stored" | "stored-forced";

const MISS: Readonly<Record<string, string>> = Object.freeze({ "cache-status": "llm-proxy; miss" });

/** The original's exact `Cache-Status`, `X-PROXY-CACHE` and `X-PROXY-CACHE-KEY` values (lowercase names). */
export function responseHeaders(outcome: CacheOutcome, key: string): Readonly<Record<string, string>> {
  const status = outcome === "stored-forced" ? "stored (forced)" : outcome;
  if (outcome === "miss") return MISS;
  return {
    "cache-status": `llm-proxy; ${status}`,
    "x-proxy-cache": outcome === "stored-forced" ? "stored" : outcome,
    "x-proxy-cache-key": key,
  };
}
