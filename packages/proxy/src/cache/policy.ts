import { createHash } from "node:crypto";
import type { CachedResponse } from "./port.js";

type Headers = Record<string, string | string[] | undefined>;

/** Request headers every key varies on (the original's lookup set). */
export const KEY_HEADERS = ["accept", "accept-encoding", "accept-language"] as const;

function directives(value: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
  for (const part of text.split(",")) {
    const [k, v = ""] = part.trim().toLowerCase().split("=");
    if (k) out.set(k, v.replace(/^"|"$/g, ""));
  }
  return out;
}

const seconds = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
const header = (h: Headers, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v.join(", ") : v;
};

export type LookupPlan = { kind: "skip" } | { kind: "lookup"; forcedTtlSeconds: number | undefined; needsBodyHash: boolean; revalidate: boolean };

/** GET/HEAD are always looked up; POST only when the client opts in with `public, max-age=N`. */
export function lookupPlan(method: string, headers: Headers, bodyLength: number | undefined, maxBodyBytes: number): LookupPlan {
  const cc = directives(headers["cache-control"]);
  const revalidate = cc.has("no-cache") || cc.get("max-age") === "0";
  if (method === "GET" || method === "HEAD") return { kind: "lookup", forcedTtlSeconds: undefined, needsBodyHash: false, revalidate };
  if (method !== "POST" || !cc.has("public")) return { kind: "skip" };
  const ttl = seconds(cc.get("s-maxage")) ?? seconds(cc.get("max-age"));
  if (!ttl || bodyLength === undefined || bodyLength > maxBodyBytes) return { kind: "skip" };
  return { kind: "lookup", forcedTtlSeconds: ttl, needsBodyHash: true, revalidate: false };
}

/** SHA-256 of method, path, sorted query, scope (project or "shared"), key headers, body and forced TTL. */
export function cacheKey(k: { method: string; url: string; scope: string; headers: Headers; bodyHash?: string | undefined; forcedTtlSeconds?: number | undefined }): string {
  const q = k.url.indexOf("?");
  const path = q === -1 ? k.url : k.url.slice(0, q);
  const params = new URLSearchParams(q === -1 ? "" : k.url.slice(q + 1));
  const names = [...new Set(params.keys())].sort();
  const query = names.map((n) => `${n}=${params.getAll(n).sort().join(",")}`).join("&");
  // HEAD is answered from the GET entry.
  const method = k.method === "HEAD" ? "GET" : k.method;
  const h = createHash("sha256").update(`${method}|${path}|${query}|scope=${k.scope}`);
  for (const name of KEY_HEADERS) {
    const v = header(k.headers, name);
    if (v) h.update(`|${name}:${v.trim()}`);
  }
  if (k.bodyHash) h.update(`|body=${k.bodyHash}`);
  if (k.forcedTtlSeconds) h.update(`|ttl=${k.forcedTtlSeconds}`);
  return h.digest("hex");
}

export type ServeDecision = "hit" | "conditional-hit" | "miss" | "bypass";

/**
 * Whether a stored entry answers this request: fresh, same `Vary` values, or a 304. In a cache
 * shared across projects only entries the upstream marked `public`/`s-maxage` are served.
 */
export function serveDecision(entry: CachedResponse, method: string, headers: Headers, shared: boolean, now = Date.now()): ServeDecision {
  if (entry.expiresAt <= now) return "miss";
  for (const [name, value] of Object.entries(entry.vary)) if ((header(headers, name) ?? "") !== value) return "miss";
  if (shared) {
    const cc = directives(entry.headers["cache-control"]);
    if (!cc.has("public") && !cc.has("s-maxage")) return "bypass";
  }
  if (method === "GET" || method === "HEAD") {
    const inm = header(headers, "if-none-match");
    const etag = entry.headers.etag;
    if (inm && etag && (inm.trim() === "*" || inm.split(",").some((t) => t.trim() === etag))) return "conditional-hit";
    const ims = Date.parse(header(headers, "if-modified-since") ?? "");
    const lm = Date.parse(entry.headers["last-modified"] ?? "");
    if (!Number.isNaN(ims) && !Number.isNaN(lm) && lm <= ims) return "conditional-hit";
  }
  return "hit";
}

/** Never stored or replayed: per-connection, per-request and per-client headers. */
const UNSTORED = new Set([
  "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "set-cookie", "date", "x-request-id",
  "x-upstream-request-start", "x-upstream-request-stop", "x-proxy-received-at", "x-proxy-first-response-at",
  "x-proxy-final-response-at", "access-control-allow-origin", "access-control-expose-headers", "vary",
]);

export interface StoreOptions {
  defaultTtlSeconds: number;
  maxObjectBytes: number;
  streamResponses: boolean;
}

export type StoreDecision =
  | { store: true; ttlMs: number; forced: boolean; headers: Record<string, string>; vary: Record<string, string> }
  | { store: false; reason: string };

/** Whether and for how long to keep an upstream response, decided when its headers arrive. */
export function storeDecision(
  req: { headers: Headers; forcedTtlSeconds: number | undefined },
  res: { status: number; headers: Record<string, string>; streaming: boolean; contentLength: number | undefined },
  o: StoreOptions,
): StoreDecision {
  if (res.status !== 200 && res.status !== 203) return { store: false, reason: "status-not-cacheable" };
  const cc = directives(res.headers["cache-control"]);
  if (cc.has("no-store")) return { store: false, reason: "no-store" };
  if (cc.has("private")) return { store: false, reason: "private" };
  if (res.streaming && !(o.streamResponses && req.forcedTtlSeconds)) return { store: false, reason: "streaming-response" };
  if (res.contentLength !== undefined && res.contentLength > o.maxObjectBytes) return { store: false, reason: "too-large" };
  const varyNames = (res.headers.vary ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean);
  if (varyNames.includes("*")) return { store: false, reason: "vary-star" };
  const upstreamTtl = seconds(cc.get("s-maxage")) ?? seconds(cc.get("max-age"));
  const ttl = upstreamTtl ?? req.forcedTtlSeconds ?? o.defaultTtlSeconds;
  if (!ttl) return { store: false, reason: `ttl-zero-ttl=${ttl}-from-resp=${upstreamTtl !== undefined}` };
  const forced = upstreamTtl === undefined && req.forcedTtlSeconds !== undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!UNSTORED.has(k)) headers[k] = v;
  if (forced) headers["cache-control"] = `public, max-age=${ttl}`;
  const vary: Record<string, string> = {};
  for (const name of varyNames) if (name !== "origin" && name !== "authorization") vary[name] = header(req.headers, name) ?? "";
  return { store: true, ttlMs: ttl * 1000, forced, headers, vary };
}

export type Outcome = "hit" | "miss" | "bypass" | "conditional-hit" | "stored" | "stored-forced";

/** The original's exact `Cache-Status` / `X-PROXY-CACHE` / `X-PROXY-CACHE-KEY` values. */
export function cacheHeaders(outcome: Outcome, key: string): Record<string, string> {
  const status = outcome === "stored-forced" ? "stored (forced)" : outcome;
  const h: Record<string, string> = { "cache-status": `llm-proxy; ${status}` };
  if (outcome !== "miss") {
    h["x-proxy-cache"] = outcome === "stored-forced" ? "stored" : outcome;
    h["x-proxy-cache-key"] = key;
  }
  return h;
}
