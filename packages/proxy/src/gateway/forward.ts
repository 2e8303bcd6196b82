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

function classify(err: unknown): ProxyError {
  const code = (err as { code?: string }).code ?? "";
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "REQUEST_TIMEOUT") return new ProxyError("timeout");
  if (code === "UND_ERR_ABORTED" || (err as Error).name === "AbortError") return new ProxyError("canceled");
  return new ProxyError("upstream_error");
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
          const failure = classify(abort.signal.aborted && abort.signal.reason ? abort.signal.reason : err);
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
