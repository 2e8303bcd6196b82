import { randomUUID } from "node:crypto";
import { EVENT_SCHEMA_VERSION, REQUEST_BODY_CAP, RESPONSE_BODY_CAP, type ProxyEvent } from "@llm-proxy/events";
import { countCompletionTokens, countPromptTokens } from "../../usage/count.js";
import { decodeBody } from "../../usage/decode.js";
import { usd } from "../../usage/pricing.js";
import { usageFromJson, usageFromSseTail, type TokenUsage } from "@llm-proxy/events/usage";
import type { GatewayDeps } from "../deps.js";
import type { Exchange } from "../exchange.js";
import { isoTime } from "../headers.js";
import type { ForwardResult } from "../forward.js";

const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;

/** Most bytes a compressed answer may expand to for usage counting: a zip bomb stops here. */
const DECODED_CAP = 16 * 1024 * 1024;

const COUNTED_PATH = /\/(chat\/)?completions$|\/responses$|\/messages$/;

/** What `usageOf` needs done off the event loop: the tokenizer, for the endpoints that have text. */
interface Count {
  body: Buffer;
  /** The decoded answer, when there is one to count. */
  text: string | Buffer | undefined;
  streaming: boolean;
}

/**
 * Usage as reported upstream (synchronously), else what the tokenizer must count: the prompt and,
 * when the answer is whole, its text.
 */
function usageOf(x: Exchange, r: ForwardResult): TokenUsage | Count | undefined {
  if (r.status >= 400 || r.tee.bytes === 0) return undefined;
  const whole = !r.tee.truncated ? decodeBody(r.tee.captured(), r.contentEncoding, DECODED_CAP) : undefined;
  // Decoded once, for the usage and (when none was reported) for the tokenizer.
  const text = whole && (r.streaming || r.contentType.includes("json")) ? whole.toString("utf8") : undefined;
  let usage: TokenUsage | undefined;
  if (r.streaming) {
    usage = usageFromSseTail(text ?? (r.contentEncoding ? "" : r.tee.tail?.toString("utf8") ?? ""));
  } else if (text !== undefined) {
    usage = usageFromJson(text);
  }
  if (usage || !x.body || !COUNTED_PATH.test(x.upstreamPath)) return usage;
  return { body: x.body, text: text ?? whole, streaming: r.streaming };
}

async function counted(c: Count): Promise<TokenUsage> {
  const completion = c.text === undefined ? 0 : countCompletionTokens(typeof c.text === "string" ? c.text : c.text.toString("utf8"), c.streaming);
  return { prompt: await countPromptTokens(c.body), completion: await completion };
}

type Deps = Pick<GatewayDeps, "metrics" | "usage" | "bus" | "observability" | "logger" | "charge">;

/**
 * After the response ended: metrics, usage counters and the request event. Runs off the
 * client's path (the response is already complete) and never throws. Synchronous unless the
 * tokenizer has to count (an answer without usage): only then is a promise left in `finishing`.
 */
export function finish(x: Exchange, deps: Deps, finishing: Set<Promise<void>>): void {
  const run = () => {
    const end = performance.now();
    try {
      const r = x.result;
      // Unfinished and no error of ours: the client left (nginx's 499).
      const status = x.res.writableFinished || x.errorCode ? x.status : 499;
      measure(x, deps, status, end);
      const usage = r ? usageOf(x, r) : undefined;
      if (usage === undefined || "prompt" in usage) return record(x, deps, status, end, usage);
      const done = counted(usage)
        .then((u) => record(x, deps, status, end, u))
        .catch((err: unknown) => deps.logger.error({ err, request_id: x.requestId }, "failed to record request"))
        .finally(() => finishing.delete(done));
      finishing.add(done);
    } catch (err) {
      deps.logger.error({ err, request_id: x.requestId }, "failed to record request");
    }
  };
  if (x.res.writableFinished || x.res.destroyed) run();
  else x.res.once("close", run);
}

function measure(x: Exchange, deps: Deps, status: number, end: number): void {
  const r = x.result;
  const provider = x.provider.name;
  const streaming = r?.streaming ? "true" : "false";
  deps.metrics.requests.inc({ provider, status_class: STATUS_CLASS[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx`, streaming });
  deps.metrics.duration.observe({ provider, streaming }, (end - x.startedAt) / 1000);
  if (r && x.forwardedAt !== undefined) {
    deps.metrics.upstreamLatency.observe({ provider }, (r.headersAt - x.forwardedAt) / 1000);
    if (r.tee.firstByteAt) deps.metrics.firstByte.observe({ provider }, (r.tee.firstByteAt - x.forwardedAt) / 1000);
  }
}

const STATUS_CLASS = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx"];

/** The usage row and the event. */
function record(x: Exchange, deps: Deps, status: number, end: number, usage: TokenUsage | undefined): void {
  const outcome = x.cache?.outcome;
  const cacheHit = outcome === "hit" || outcome === "conditional-hit";
  // Priced as the model the response names, else the request's; a cache hit costs nothing.
  const cost = usage && x.token && !cacheHit ? deps.charge(x.token.projectId, usage.model ?? x.model ?? "", usage) : 0;
  if (x.token) {
    deps.usage.record({
      tokenId: x.token.id,
      projectId: x.token.projectId,
      model: x.model ?? "",
      countRequest: !x.token.limited && x.result !== undefined,
      cacheHit,
      error: status >= 400,
      promptTokens: usage?.prompt ?? 0,
      completionTokens: usage?.completion ?? 0,
      costNanos: cost,
      at: x.receivedAt,
    });
  }
  // Cache hits are not events: nothing reached the upstream.
  if (deps.observability && !cacheHit) deps.bus.publish(toEvent(x, status, end, usage, cost));
}

const base64 = (b: Buffer | undefined, cap: number) => (!b ? "" : (b.length > cap ? b.subarray(0, cap) : b).toString("base64"));

function toEvent(x: Exchange, status: number, end: number, usage: TokenUsage | undefined, cost: number): ProxyEvent {
  const r = x.result;
  const reqBody = x.body;
  return {
    schema_version: EVENT_SCHEMA_VERSION,
    id: randomUUID(),
    request_id: x.requestId,
    project_id: x.token?.projectId ?? "",
    token_id: x.token?.id ?? "",
    provider: x.provider.name,
    method: x.method,
    path: x.path,
    status,
    model: x.model ?? null,
    streaming: r?.streaming ?? false,
    timestamp: isoTime(x.receivedAt),
    duration_ms: ms(x.startedAt, end),
    upstream_ms: r && x.forwardedAt !== undefined ? ms(x.forwardedAt, end) : null,
    first_byte_ms: r?.tee.firstByteAt && x.forwardedAt !== undefined ? ms(x.forwardedAt, r.tee.firstByteAt) : null,
    usage: usage ? { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } : null,
    cost_usd: usage ? usd(cost) : null,
    cache_status: x.cache ? (x.cache.store ? "stored" : x.cache.outcome) : null,
    response_headers: r?.headers ?? {},
    request_body: base64(reqBody, REQUEST_BODY_CAP),
    request_body_truncated: reqBody !== undefined && reqBody.length > REQUEST_BODY_CAP,
    response_body: r ? base64(r.tee.captured(), RESPONSE_BODY_CAP) : "",
    response_body_truncated: r ? r.tee.truncated || r.tee.headBytes > RESPONSE_BODY_CAP : false,
    error_code: x.errorCode ?? null,
  };
}
