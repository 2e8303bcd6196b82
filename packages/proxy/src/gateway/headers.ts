import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { BILLING_HEADERS, type Provider } from "./providers.js";
import { VERSION } from "../version.js";

/**
 * Never forwarded upstream: hop-by-hop, the client's credentials, and client-IP headers.
 * `expect` too: the proxy answers `100-continue` itself, and undici refuses the header (a 502).
 */
const DROP_UPSTREAM = new Set([
  "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
  "expect", "http2-settings",
  "host", "authorization", "x-api-key", "cookie",
  "x-forwarded-for", "x-real-ip", "cf-connecting-ip", "cf-ipcountry", "x-client-ip", "x-original-forwarded-for", "forwarded",
  "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "true-client-ip",
  "x-proxy", "x-proxy-version", "x-proxy-id", "x-request-id", "x-upstream-request-start",
]);

/** Never passed back to the client from upstream. */
const DROP_DOWNSTREAM = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

const BILLING = new Set<string>(BILLING_HEADERS);

const NONE: ReadonlySet<string> = new Set();

/** The header names a `Connection` header lists: hop-by-hop for this one connection (RFC 9110 §7.6.1). */
export function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // The usual value names only itself, a header dropped as hop-by-hop anyway.
  if (value === undefined || value === "keep-alive") return NONE;
  const names = new Set<string>();
  for (const part of Array.isArray(value) ? value : [value]) {
    for (const token of part.split(",")) {
      const name = token.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

export const PROXY_VERSION = VERSION;

/**
 * The headers sent upstream: the client's, minus hop-by-hop ones (fixed and `Connection`-named),
 * credentials, client IPs and billing headers the provider does not forward; plus the provider's
 * defaults, the project's key and ours. Header names arrive lowercased (Node's IncomingMessage).
 */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  p: Provider,
  apiKey: string,
  ids: { requestId: string; projectId: string; startNanos: string },
  bodyLength: number | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const hopByHop = connectionTokens(incoming.connection);
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || DROP_UPSTREAM.has(name) || hopByHop.has(name)) continue;
    if (BILLING.has(name) && !p.forwardHeaders.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  for (const [name, value] of Object.entries(p.defaultHeaders)) out[name.toLowerCase()] ??= value;
  if (p.auth === "bearer") out.authorization = `Bearer ${apiKey}`;
  else out["x-api-key"] = apiKey;
  out["x-proxy"] = "llm-proxy";
  out["x-proxy-version"] = PROXY_VERSION;
  out["x-proxy-id"] = ids.projectId;
  out["x-request-id"] = ids.requestId;
  out["x-upstream-request-start"] = ids.startNanos;
  if (bodyLength !== undefined) out["content-length"] = String(bodyLength);
  return out;
}

/** The upstream's response headers minus hop-by-hop ones (fixed and `Connection`-named). */
export function downstreamHeaders(upstream: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const hopByHop = connectionTokens(upstream.connection);
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || DROP_DOWNSTREAM.has(name) || hopByHop.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const EXPOSE = "X-Request-ID, X-Proxy-ID, X-LLM-Proxy-Remote-Duration, X-LLM-Proxy-Remote-Duration-Ms, Cache-Status, X-PROXY-CACHE";

/** Actual responses echo an (already admitted) Origin; preflights answer for any origin. */
export function corsHeaders(origin: string | undefined): OutgoingHttpHeaders {
  if (!origin) return {};
  return { "access-control-allow-origin": origin, vary: "Origin", "access-control-expose-headers": EXPOSE };
}

export function preflightHeaders(origin: string | undefined, requested: string | undefined): OutgoingHttpHeaders {
  if (!origin) return {};
  return {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-allow-headers": requested || "Authorization, Content-Type, X-Requested-With",
    "access-control-expose-headers": EXPOSE,
    "access-control-max-age": "86400",
  };
}

/** Unix time in nanoseconds at the monotonic clock's zero. */
const ORIGIN = BigInt(Math.round(Date.now() * 1e6 - Number(process.hrtime.bigint())));

/** Unix time in nanoseconds, as the original's X-UPSTREAM-REQUEST-* headers carry it. */
export function nowNanos(): string {
  return (ORIGIN + process.hrtime.bigint()).toString();
}

/** Years 0000–9999: the ISO form is `YYYY-MM-DDTHH:MM:SS.mmmZ`, 24 characters. */
const ISO_MAX_MS = 253_402_300_800_000;
const seconds: [number, string][] = [
  [Number.NaN, ""],
  [Number.NaN, ""],
];

/**
 * `new Date(ms).toISOString()`, which costs ~1 µs in Node 20: the text up to the second is kept
 * for the last two seconds asked (a request's arrival and its answer may straddle one), the
 * milliseconds are appended.
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < ISO_MAX_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  let entry = seconds[0] as [number, string];
  if (entry[0] !== second) {
    entry = seconds[1] as [number, string];
    if (entry[0] !== second) {
      entry = [second, new Date(second * 1000).toISOString().slice(0, 20)];
      seconds[1] = seconds[0] as [number, string];
      seconds[0] = entry;
    }
  }
  const milli = ms - second * 1000;
  return `${entry[1]}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}
