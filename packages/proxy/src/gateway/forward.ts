import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from "node:http";
import { Pool } from "undici";
import { ResponseTee } from "./capture.js";
import { downstreamHeaders } from "./headers.js";
import { ProxyError } from "./errors.js";
import type { Provider } from "./providers.js";

export interface ForwardRequest {
  provider: Provider;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | IncomingMessage | undefined;
  res: ServerResponse;
  /** Headers the proxy adds to the response (ids, timing, CORS). */
  extraHeaders(status: number, upstream: Record<string, string | string[] | undefined>): OutgoingHttpHeaders;
  captureBytes: number;
}

export interface ForwardResult {
  status: number;
  streaming: boolean;
  contentType: string;
  contentEncoding: string | undefined;
  headers: Record<string, string>;
  tee: ResponseTee;
  headersAt: number;
  /** Set when the upstream failed after its headers were out (the client connection was cut). */
  failure?: ProxyError;
}

const TAIL_BYTES = 16 * 1024;

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|EPROTO$|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_|ERR_OSSL_)/;

/** The error's code, or its cause's (undici wraps some socket errors). */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return String(e?.code ?? e?.cause?.code ?? "");
}

/**
 * What failed, in words a user can act on. Only the code and the upstream's host:port, never the
 * error's message or the request (a query string may carry a key).
 */
export function classify(err: unknown, p: Pick<Provider, "origin" | "headersTimeoutMs" | "streamIdleTimeoutMs" | "requestTimeoutMs">): ProxyError {
  const code = codeOf(err);
  const host = new URL(p.origin).host;
  const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;
  if (code === "UND_ERR_ABORTED" || (err as Error).name === "AbortError") return new ProxyError("canceled");
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") return new ProxyError("timeout", `connecting to ${host} timed out`);
  if (code === "UND_ERR_HEADERS_TIMEOUT") return new ProxyError("timeout", `${host} sent no response headers within ${secs(p.headersTimeoutMs)}`);
  if (code === "UND_ERR_BODY_TIMEOUT") return new ProxyError("timeout", `${host} sent nothing for ${secs(p.streamIdleTimeoutMs)}`);
  if (code === "REQUEST_TIMEOUT") return new ProxyError("timeout", `${host} did not finish within ${secs(p.requestTimeoutMs)}`);
  if (code === "ECONNREFUSED") return new ProxyError("upstream_error", `connection refused by ${host}`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL") return new ProxyError("upstream_error", `DNS lookup of ${new URL(p.origin).hostname} failed (${code})`);
  if (TLS_CODE.test(code)) return new ProxyError("upstream_error", `TLS handshake with ${host} failed (${code})`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new ProxyError("upstream_error", `${host} is unreachable (${code})`);
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") return new ProxyError("upstream_error", `${host} closed the connection (${code})`);
  return new ProxyError("upstream_error", `request to ${host} failed${code ? ` (${code})` : ""}`);
}

/** One keep-alive undici pool per provider origin. */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();

  pool(p: Provider): Pool {
    let pool = this.pools.get(p.name);
    if (!pool) {
      pool = new Pool(p.origin, {
        connections: p.maxConnections,
        keepAliveTimeout: p.keepAliveTimeoutMs,
        headersTimeout: p.headersTimeoutMs,
        bodyTimeout: p.streamIdleTimeoutMs,
        connect: { timeout: 10_000 },
      });
      this.pools.set(p.name, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }

  /**
   * Streams the request upstream and the response back with no buffering. A client disconnect
   * aborts the upstream request; a failure before response headers becomes a ProxyError (502,
   * 504, 408) for the caller to render; a failure after them cuts the client connection.
   */
  forward(f: ForwardRequest): Promise<ForwardResult> {
    const abort = new AbortController();
    const onClose = () => {
      if (!f.res.writableFinished) abort.abort();
    };
    f.res.once("close", onClose);
    let timer: NodeJS.Timeout | undefined;
    if (f.provider.requestTimeoutMs > 0) {
      timer = setTimeout(() => abort.abort(Object.assign(new Error("request timeout"), { code: "REQUEST_TIMEOUT" })), f.provider.requestTimeoutMs);
    }
    let result: ForwardResult | undefined;
    return this.pool(f.provider)
      .stream(
        {
          path: f.path,
          method: f.method as "GET",
          headers: f.headers,
          body: f.body ?? null,
          signal: abort.signal,
          headersTimeout: f.provider.headersTimeoutMs,
          bodyTimeout: f.provider.streamIdleTimeoutMs,
        },
        ({ statusCode, headers }) => {
          const contentType = String(headers["content-type"] ?? "");
          const streaming = contentType.includes("text/event-stream");
          if (streaming && timer) clearTimeout(timer);
          const tee = new ResponseTee(f.res, f.captureBytes, streaming ? TAIL_BYTES : 0);
          const plain: Record<string, string> = {};
          for (const [k, v] of Object.entries(headers)) if (v !== undefined) plain[k] = Array.isArray(v) ? v.join(", ") : v;
          // Headers leave with the first body chunk: one write instead of two.
          f.res.writeHead(statusCode, { ...downstreamHeaders(headers), ...f.extraHeaders(statusCode, headers) });
          const enc = headers["content-encoding"];
          result = {
            status: statusCode,
            streaming,
            contentType,
            contentEncoding: typeof enc === "string" && enc !== "identity" ? enc : undefined,
            headers: plain,
            tee,
            headersAt: performance.now(),
          };
          return tee;
        },
      )
      .then(
        () => result as ForwardResult,
        (err: unknown) => {
          const failure = classify(abort.signal.aborted && abort.signal.reason ? abort.signal.reason : err, f.provider);
          if (result) {
            // Headers are out: the only honest signal left is to cut the connection.
            f.res.destroy();
            result.failure = failure;
            return result;
          }
          throw failure;
        },
      )
      .finally(() => {
        clearTimeout(timer);
        f.res.off("close", onClose);
      });
  }
}
