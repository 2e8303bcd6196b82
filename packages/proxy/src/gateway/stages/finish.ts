import { randomUUID } from "node:crypto";
import { EVENT_SCHEMA_VERSION, REQUEST_BODY_CAP, RESPONSE_BODY_CAP, type ProxyEvent } from "@llm-proxy/events";
import { countCompletionTokens, countPromptTokens } from "../../usage/count.js";
import { decodeBody } from "../../usage/decode.js";
import { usd } from "../../usage/pricing.js";
import { usageFromJson, usageFromSseTail, type TokenUsage } from "@llm-proxy/events/usage";
import type { GatewayDeps } from "../deps.js";
import type { Exchange } from "../exchange.js";
import type { ForwardResult } from "../forward.js";

const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;

/** Most bytes a compressed answer may expand to for usage counting: a zip bomb stops here. */
const DECODED_CAP = 16 * 1024 * 1024;

/** Usage as reported upstream, else counted with the tokenizer for the endpoints that have text. */
async function usageOf(x: Exchange, r: ForwardResult): Promise<TokenUsage | undefined> {
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
  if (usage || !/\/(chat\/)?completions$|\/responses$|\/messages$/.test(x.upstreamPath) || !x.body) return usage;
  return {
    prompt: await countPromptTokens(x.body),
    completion: whole ? await countCompletionTokens(text ?? whole.toString("utf8"), r.streaming) : 0,
  };
}

/**
 * After the response ended: metrics, usage counters and the request event. Runs off the
 * client's path (the response is already complete) and never throws.
 */
export function finish(x: Exchange, deps: Pick<GatewayDeps, "metrics" | "usage" | "bus" | "observability" | "logger" | "charge">, finishing: Set<Promise<void>>): void {
  const onDone = async () => {
    try {
      const end = performance.now();
      const r = x.result;
      const streaming = r?.streaming ?? false;
      // Unfinished and no error of ours: the client left (nginx's 499).
      const status = x.res.writableFinished || x.errorCode ? x.status : 499;
      deps.metrics.requests.inc({ provider: x.provider.name, status_class: `${Math.floor(status / 100)}xx`, streaming: String(streaming) });
      deps.metrics.duration.observe({ provider: x.provider.name, streaming: String(streaming) }, (end - x.startedAt) / 1000);
      if (r && x.forwardedAt !== undefined) {
        deps.metrics.upstreamLatency.observe({ provider: x.provider.name }, (r.headersAt - x.forwardedAt) / 1000);
        if (r.tee.firstByteAt) deps.metrics.firstByte.observe({ provider: x.provider.name }, (r.tee.firstByteAt - x.forwardedAt) / 1000);
      }
      const cacheHit = x.cache?.outcome === "hit" || x.cache?.outcome === "conditional-hit";
      const usage = r ? await usageOf(x, r) : undefined;
      // Priced as the model the response names, else the request's; a cache hit costs nothing.
      const cost = usage && x.token && !cacheHit ? deps.charge(x.token.projectId, usage.model ?? x.model ?? "", usage) : 0;
      if (x.token) {
        deps.usage.record({
          tokenId: x.token.id,
          projectId: x.token.projectId,
          model: x.model ?? "",
          countRequest: !x.token.limited && r !== undefined,
          cacheHit,
          error: status >= 400,
          promptTokens: usage?.prompt ?? 0,
          completionTokens: usage?.completion ?? 0,
          costNanos: cost,
          at: x.receivedAt.getTime(),
        });
      }
      // Cache hits are not events: nothing reached the upstream.
      if (deps.observability && !cacheHit) deps.bus.publish(toEvent(x, status, end, usage, cost));
    } catch (err) {
      deps.logger.error({ err, request_id: x.requestId }, "failed to record request");
    }
  };
  const run = () => {
    const done = onDone().finally(() => finishing.delete(done));
    finishing.add(done);
  };
  if (x.res.writableFinished || x.res.destroyed) setImmediate(run);
  else x.res.once("close", run);
}

function toEvent(x: Exchange, status: number, end: number, usage: TokenUsage | undefined, cost: number): ProxyEvent {
  const r = x.result;
  const reqBody = x.body ?? Buffer.alloc(0);
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
    timestamp: x.receivedAt.toISOString(),
    duration_ms: ms(x.startedAt, end),
    upstream_ms: r && x.forwardedAt !== undefined ? ms(x.forwardedAt, end) : null,
    first_byte_ms: r?.tee.firstByteAt && x.forwardedAt !== undefined ? ms(x.forwardedAt, r.tee.firstByteAt) : null,
    usage: usage ? { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion } : null,
    cost_usd: usage ? usd(cost) : null,
    cache_status: x.cache ? (x.cache.store ? "stored" : x.cache.outcome) : null,
    response_headers: r?.headers ?? {},
    request_body: reqBody.subarray(0, REQUEST_BODY_CAP).toString("base64"),
    request_body_truncated: reqBody.length > REQUEST_BODY_CAP,
    response_body: r ? r.tee.captured().subarray(0, RESPONSE_BODY_CAP).toString("base64") : "",
    response_body_truncated: r ? r.tee.truncated || r.tee.headBytes > RESPONSE_BODY_CAP : false,
    error_code: x.errorCode ?? null,
  };
}
