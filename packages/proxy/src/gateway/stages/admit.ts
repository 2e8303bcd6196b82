import { problem } from "../../errors.js";
import type { Exchange, Outcome } from "../exchange.js";
import { preflightHeaders } from "../headers.js";

/** Paths that try to leave the endpoint allow-list through dot segments or encoded separators. */
const UNSAFE_PATH = /(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\|\/\//i;

const ENDPOINT_NOT_FOUND = problem("endpoint_not_found");
const ORIGIN_NOT_ALLOWED = problem("origin_not_allowed");
const ORIGIN_REQUIRED = problem("origin_required");

/**
 * The checks that need only the request line and headers: CORS preflight (answered here),
 * method, endpoint, declared size, origin rules and required headers. Nothing is read or
 * looked up yet.
 */
export function admit(x: Exchange, deps: { maxBodyBytes: number }): Outcome {
  const { req, provider: p } = x;
  if (x.method === "OPTIONS") {
    x.status = 204;
    x.res.writeHead(204, { "x-request-id": x.requestId, ...preflightHeaders(x.origin, req.headers["access-control-request-headers"]) });
    x.res.end();
    return "answered";
  }
  const length = req.headers["content-length"];
  x.declaredLength = length === undefined ? 0 : Number(length);
  x.hasBody = x.method !== "GET" && x.method !== "HEAD" && (x.declaredLength > 0 || req.headers["transfer-encoding"] !== undefined);

  if (!p.allowedMethods.has(x.method)) return problem("method_not_allowed", undefined, { headers: { allow: [...p.allowedMethods].join(", ") } });
  if (UNSAFE_PATH.test(x.upstreamPath) || !p.allowedEndpoints.some((e) => x.upstreamPath.startsWith(e))) return ENDPOINT_NOT_FOUND;
  if (x.declaredLength > deps.maxBodyBytes) return problem("payload_too_large", `request body exceeds ${deps.maxBodyBytes} bytes`);

  if (x.origin !== undefined && p.allowedOrigins.size > 0 && !p.allowedOrigins.has(x.origin)) return ORIGIN_NOT_ALLOWED;
  for (const h of p.requiredHeaders) {
    if (req.headers[h] !== undefined) continue;
    return h === "origin" ? ORIGIN_REQUIRED : problem("header_required", undefined, { message: `Header '${h}' required` });
  }
  return "continue";
}
