import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StoreDecision } from "../cache/policy.js";
import type { Problem } from "../errors.js";
import type { ActiveToken, ProjectEntry } from "./access.js";
import type { CircuitBreaker } from "./breaker.js";
import type { ForwardResult } from "./forward.js";
import type { Provider } from "./providers.js";

/**
 * One `/v1` request on its way through the stages. The fields above the line are fixed when it
 * arrives; each field below is written by one stage only (named beside it) and read by the later
 * ones.
 */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly provider: Provider;
  /** The provider's breaker: the forward stage records, the limits stage reads. */
  readonly breaker: CircuitBreaker;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly upstreamPath: string;
  readonly query: string;
  readonly origin: string | undefined;
  /** When the request arrived, Unix ms. */
  readonly receivedAt: number;
  readonly startedAt: number;
  // ---
  /** admit: the request carries a body (declared length or chunked, not GET/HEAD). */
  hasBody: boolean;
  /** admit: the declared Content-Length, 0 when none. */
  declaredLength: number;
  /** authenticate: the bearer secret, for the quota's conditional update. */
  secret?: string;
  /** authenticate */
  token?: ActiveToken;
  /** authenticate: the project's cached entry (its decrypted upstream key, its budget). */
  project?: ProjectEntry;
  /** body (JSON bodies) or cache (a body it must hash) */
  body?: Buffer;
  /** body: the request's `model`, clean for storage. */
  model?: string;
  /** cache */
  cache?: CacheState;
  /** forward */
  forwardedAt?: number;
  /** forward */
  result?: ForwardResult;
  /** The status the client got (or, mid-answer failures, should have); the handler and forward. */
  status: number;
  /** Why the request failed, when it did; the handler and forward. */
  errorCode?: string;
}

export interface CacheState {
  key: string;
  forcedTtlSeconds: number | undefined;
  outcome: "hit" | "conditional-hit" | "miss" | "bypass";
  store?: Extract<StoreDecision, { store: true }>;
}

/**
 * What a stage decided: go on to the next stage, the response is already answered, or refuse
 * with a problem the handler renders.
 */
export type Outcome = "continue" | "answered" | Problem;

export type Stage<D> = (x: Exchange, deps: D) => Outcome | Promise<Outcome>;

/** The exchange of a request that just arrived for `provider`. */
export function newExchange(req: IncomingMessage, res: ServerResponse, provider: Provider, breaker: CircuitBreaker): Exchange {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  return {
    req,
    res,
    provider,
    breaker,
    requestId: randomUUID(),
    method: (req.method ?? "GET").toUpperCase(),
    path,
    upstreamPath: path.slice(provider.mount.length),
    query: q === -1 ? "" : url.slice(q),
    origin: typeof req.headers.origin === "string" ? req.headers.origin : undefined,
    receivedAt: Date.now(),
    startedAt: performance.now(),
    hasBody: false,
    declaredLength: 0,
    status: 0,
  };
}
