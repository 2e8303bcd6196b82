import type { IncomingHttpHeaders, IncomingMessage, ServerResponse, OutgoingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { Pool, type Dispatcher } from "undici";
import { ResponseTee } from "./capture.js";
import { downstreamHeaders } from "./headers.js";
import { problem, type Problem } from "../errors.js";
import type { Provider } from "./providers.js";

export interface ForwardRequest {
  provider: Provider;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | IncomingMessage | undefined;
  res: ServerResponse;
  /** Headers the proxy adds to the response (ids, timing, CORS), given the upstream's (lists joined) and whether it streams. */
  extraHeaders(status: number, upstream: Record<string, string>, streaming: boolean): OutgoingHttpHeaders;
  captureBytes: number;
}

export interface ForwardResult {
  status: number;
  streaming: boolean;
  contentType: string;
  contentEncoding: string | undefined;
  /** The upstream's headers, lists joined, without `set-cookie`: what events and the cache keep (the client gets them all). */
  headers: Record<string, string>;
  tee: ResponseTee;
  headersAt: number;
  /**
   * Set when the exchange broke after forwarding: the upstream failed after its headers were out
   * (the client connection was cut), or `canceled` when the client left (status 499 if it left
   * before any response).
   */
  failure?: Problem;
}

const TAIL_BYTES = 16 * 1024;
const REQUEST_TIMEOUT = "REQUEST_TIMEOUT";

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
export function classify(err: unknown, p: Pick<Provider, "origin" | "headersTimeoutMs" | "streamIdleTimeoutMs" | "requestTimeoutMs">): Problem {
  const code = codeOf(err);
  const host = new URL(p.origin).host;
  const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;
  if (code === "UND_ERR_ABORTED" || (err as Error).name === "AbortError") return problem("canceled");
  // undici refused the request it was given (a header it does not allow): the proxy's fault, not the upstream's.
  if (code === "UND_ERR_INVALID_ARG" || code === "UND_ERR_NOT_SUPPORTED") return problem("internal_error", "the upstream request could not be built");
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") return problem("timeout", `connecting to ${host} timed out`);
  if (code === "UND_ERR_HEADERS_TIMEOUT") return problem("timeout", `${host} sent no response headers within ${secs(p.headersTimeoutMs)}`);
  if (code === "UND_ERR_BODY_TIMEOUT") return problem("timeout", `${host} sent nothing for ${secs(p.streamIdleTimeoutMs)}`);
  if (code === REQUEST_TIMEOUT) return problem("timeout", `${host} did not finish within ${secs(p.requestTimeoutMs)}`);
  if (code === "ECONNREFUSED") return problem("upstream_error", `connection refused by ${host}`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL") return problem("upstream_error", `DNS lookup of ${new URL(p.origin).hostname} failed (${code})`);
  if (TLS_CODE.test(code)) return problem("upstream_error", `TLS handshake with ${host} failed (${code})`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return problem("upstream_error", `${host} is unreachable (${code})`);
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") return problem("upstream_error", `${host} closed the connection (${code})`);
  return problem("upstream_error", `request to ${host} failed${code ? ` (${code})` : ""}`);
}

/**
 * Why a forwarded request is aborted, as an error without stack frames: undici destroys the
 * upstream socket with it, and the stream's destroy reads `stack`, which under
 * `--enable-source-maps` (how `npm start` and the image run) maps every frame through the bundle's
 * source map: ~1 ms on the event loop for each client that leaves early. Nothing reads the frames.
 */
export function abortReason(message: string, code: string): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const err = Object.assign(new Error(message), { code });
  Error.stackTraceLimit = limit;
  return err;
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
   * aborts the upstream request; a failure before response headers resolves as the Problem (502,
   * 504) for the caller to render; a failure after them cuts the client connection and is set
   * as `failure`. A client that left (or broke off its upload) is never the upstream's failure:
   * forward resolves with `failure` code `canceled` and, when no response had started, status
   * 499 (nothing is sent: nobody is listening).
   */
  forward(f: ForwardRequest): Promise<ForwardResult | Problem> {
    return new Promise((resolve) => {
      this.pool(f.provider).dispatch(
        {
          path: f.path,
          method: f.method as Dispatcher.HttpMethod,
          headers: f.headers,
          body: f.body ?? null,
          headersTimeout: f.provider.headersTimeoutMs,
          bodyTimeout: f.provider.streamIdleTimeoutMs,
        },
        new Exchange(f, resolve),
      );
    });
  }
}

/**
 * One forwarded request as an undici dispatch handler: response chunks go straight to the
 * client's `res` (pausing the upstream while the client's socket is full) and into the tee. One
 * `close` listener on `res` serves both ends: it aborts the upstream when the client leaves
 * early and settles once the response has been flushed. No AbortController, no stream object.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  /** An abort asked for before undici started the request (still queued in the pool). */
  private pendingAbort: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private result: ForwardResult | undefined;
  /** The upstream exchange is over (ended or failed); only the client side may remain. */
  private upstreamDone = false;
  private settled = false;
  private clientLeft = false;
  private readonly upload: Readable | undefined;

  constructor(
    private readonly f: ForwardRequest,
    private readonly resolve: (r: ForwardResult | Problem) => void,
  ) {
    f.res.once("close", this.onClose);
    // A streamed upload that fails before undici reports anything was broken off by the client;
    // one that undici destroys because the upstream failed errors after (undici reported first).
    if (f.body instanceof Readable) {
      this.upload = f.body;
      this.upload.once("error", this.onUploadError);
    }
    if (f.provider.requestTimeoutMs > 0) this.timer = setTimeout(this.onTimeout, f.provider.requestTimeoutMs);
  }

  private readonly onTimeout = (): void => this.abort(abortReason("request timeout", REQUEST_TIMEOUT));

  private readonly onClose = (): void => {
    if (!this.f.res.writableFinished) this.clientLeft = true;
    if (!this.upstreamDone) this.abort(abortReason("client closed the connection", "UND_ERR_ABORTED"));
    else if (this.result) this.settle(this.result);
  };

  private readonly onUploadError = (): void => {
    if (!this.upstreamDone) this.clientLeft = true;
  };

  private abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort ??= reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the real answer follows
    const f = this.f;
    const contentType = String(headers["content-type"] ?? "");
    const streaming = contentType.includes("text/event-stream");
    if (streaming) clearTimeout(this.timer);
    const plain: Record<string, string> = {};
    for (const k in headers) {
      const v = headers[k];
      // An upstream's cookies are for the client alone, never for a sink (as for the original's events).
      if (v !== undefined && k !== "set-cookie") plain[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    // Headers leave with the first body chunk: one write instead of two.
    f.res.writeHead(statusCode, Object.assign(downstreamHeaders(headers), f.extraHeaders(statusCode, plain, streaming)));
    const enc = headers["content-encoding"];
    this.result = {
      status: statusCode,
      streaming,
      contentType,
      contentEncoding: typeof enc === "string" && enc !== "identity" ? enc : undefined,
      headers: plain,
      tee: new ResponseTee(f.captureBytes, streaming ? TAIL_BYTES : 0),
      headersAt: performance.now(),
    };
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    (this.result as ForwardResult).tee.push(chunk);
    if (!this.f.res.write(chunk)) {
      controller.pause();
      this.f.res.once("drain", () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.upstreamDone = true;
    clearTimeout(this.timer);
    const res = this.f.res;
    // Settled by the `close` that follows `finish` (or a client that leaves before the flush).
    if (res.destroyed) this.settle(this.result as ForwardResult);
    else res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.upstreamDone = true;
    clearTimeout(this.timer);
    const f = this.f;
    // The client's own doing (it left, or broke off its upload) is not the upstream's failure.
    const client = this.clientLeft;
    const failure = client ? problem("canceled") : classify(err, f.provider);
    if (this.result) {
      // Headers are out: the only honest signal left is to cut the connection.
      f.res.destroy();
      this.settle({ ...this.result, failure });
    } else if (client) {
      f.res.destroy();
      this.settle({ status: 499, streaming: false, contentType: "", contentEncoding: undefined, headers: {}, tee: new ResponseTee(0, 0), headersAt: performance.now(), failure });
    } else {
      this.settle(failure);
    }
  }

  private settle(r: ForwardResult | Problem): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.resolve(r);
  }

  private detach(): void {
    this.f.res.off("close", this.onClose);
    this.upload?.off("error", this.onUploadError);
  }
}
