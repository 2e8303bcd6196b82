import type { OutgoingHttpHeaders } from "node:http";
import { RESPONSE_BODY_CAP } from "@llm-proxy/events";
import { isProblem, statusOf, type ErrorCode } from "../../errors.js";
import type { GatewayDeps } from "../deps.js";
import type { ProjectEntry } from "../access.js";
import type { Exchange, Outcome } from "../exchange.js";
import { corsHeaders, isoTime, nowNanos, upstreamHeaders } from "../headers.js";
import { cacheCaptureBytes, cacheHeaders, cacheStore } from "./cache.js";

type Deps = Pick<GatewayDeps, "upstreams" | "metrics" | "logger" | "cache">;

/** Failures that say the upstream is in trouble; everything else leaves the breaker alone. */
const UPSTREAM_FAULTS = new Set<ErrorCode>(["upstream_error", "timeout"]);

/**
 * Sends the request upstream with the project's key and streams the answer back, adding the
 * proxy's headers. The only stage that feeds the provider's circuit breaker: connect errors,
 * timeouts and 502/503/504 from the upstream count; a client that left does not.
 */
export async function forward(x: Exchange, deps: Deps): Promise<Outcome> {
  const p = x.provider;
  const token = x.token;
  x.forwardedAt = performance.now();
  const upstreamStart = nowNanos();
  const result = await deps.upstreams.forward({
    provider: p,
    method: x.method,
    path: p.basePath + x.upstreamPath + x.query,
    headers: upstreamHeaders(x.req.headers, p, (x.project as ProjectEntry).apiKey, { requestId: x.requestId, projectId: token?.projectId ?? "", startNanos: upstreamStart }, x.body?.length),
    body: x.body ?? (x.hasBody ? x.req : undefined),
    res: x.res,
    // Kept for usage (read from the answer) and the event, and for the cache when it may store.
    captureBytes: Math.max(RESPONSE_BODY_CAP, cacheCaptureBytes(x, deps)),
    extraHeaders: (status, upstream, streaming) => {
      const first = isoTime(Date.now());
      const h: OutgoingHttpHeaders = {
        "x-proxy": "llm-proxy",
        "x-request-id": x.requestId,
        "x-proxy-received-at": isoTime(x.receivedAt),
        "x-proxy-first-response-at": first,
        "x-proxy-final-response-at": first,
        "x-upstream-request-stop": nowNanos(),
      };
      if (!streaming) h["x-upstream-request-start"] = upstreamStart;
      if (x.origin) Object.assign(h, corsHeaders(x.origin));
      if (deps.cache) Object.assign(h, cacheHeaders(x, deps, status, upstream, streaming));
      return h;
    },
  });
  if (isProblem(result)) {
    if (UPSTREAM_FAULTS.has(result.code)) {
      x.breaker.record(statusOf(result.code));
      deps.logger.warn({ request_id: x.requestId, provider: p.name, code: result.code, reason: result.description }, "upstream request failed");
    }
    return result;
  }
  x.result = result;
  x.status = result.status;
  const failure = result.failure;
  if (failure?.code === "canceled") {
    // The client left: a 499, nobody's failure upstream, nothing for the breaker.
    x.status = 499;
    x.errorCode = failure.code;
  } else {
    if (failure) {
      // Headers were out when the upstream broke: the client connection was cut.
      x.status = statusOf(failure.code);
      x.errorCode = failure.code;
      deps.metrics.proxyErrors.inc({ code: failure.code });
    }
    x.breaker.record(failure ? x.status : result.status);
  }
  if (x.cache?.store) await cacheStore(x, deps);
  return "answered";
}
