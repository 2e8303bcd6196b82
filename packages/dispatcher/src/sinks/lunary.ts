import type { SinkSettings } from "../config.js";
import type { DispatchRecord } from "../transform/record.js";
import { assertAccepted, createAgent, post } from "./http.js";
import { endTime, isLlmCall, llmInput, llmOutput } from "./llm-shape.js";
import { accepted, type Sink, type SinkOutcome } from "./sink.js";

/**
 * Lunary runs ingest: one POST per batch, a JSON array. Each call is a `start` event (input) and
 * an `end` or `error` event (output, usage) sharing runId = event id, so a redelivery updates the
 * same run instead of creating a second one.
 */
export function createLunarySink(settings: SinkSettings["lunary"]): Sink {
  const agent = createAgent();
  return {
    name: "lunary",
    async deliver(records: readonly DispatchRecord[]): Promise<SinkOutcome> {
      const calls = records.filter(isLlmCall);
      if (calls.length === 0) return accepted(records.length);
      const body = JSON.stringify(calls.flatMap((r) => lunaryEvents(r, settings.verbose)));
      assertAccepted("lunary", await post(agent, settings.url, body, { authorization: `Bearer ${settings.apiKey}` }, settings.timeoutMs));
      return accepted(records.length - calls.length);
    },
    async close(): Promise<void> {
      await agent.close();
    },
  };
}

export function lunaryEvents(r: DispatchRecord, verbose: boolean): Array<Record<string, unknown>> {
  const metadata: Record<string, unknown> = {
    method: r.method,
    path: r.path,
    status: r.status,
    duration_ms: r.duration_ms,
    request_id: r.request_id,
    project_id: r.project_id,
    token_id: r.token_id,
    provider: r.provider,
    cache_status: r.cache_status,
  };
  if (verbose) metadata.response_headers = r.response_headers;
  const base = { type: "llm", runId: r.id, name: r.model ?? undefined, metadata };
  const start = { ...base, event: "start", timestamp: r.timestamp, input: llmInput(r) };
  const finished = endTime(r).toISOString();
  if (r.status >= 400) return [start, { ...base, event: "error", timestamp: finished, error: { message: r.error_code ?? `HTTP ${r.status}`, stack: null }, output: r.response }];
  const tokensUsage = r.usage ? { prompt: r.usage.prompt_tokens, completion: r.usage.completion_tokens } : undefined;
  return [start, { ...base, event: "end", timestamp: finished, output: llmOutput(r), tokensUsage }];
}
