import type { SinkSettings } from "../config.js";
import type { DispatchRecord } from "../transform/record.js";
import { createAgent, isRetryableStatus, post } from "./http.js";
import { endTime, isLlmCall } from "./llm-shape.js";
import { SinkError, type Rejection, type Sink, type SinkOutcome } from "./sink.js";

const CONCURRENCY = 8;

/**
 * Helicone manual logger: one POST per event (its API takes no batches). A 4xx other than
 * 408/425/429 rejects that event for good (dead letter); 5xx and network errors are retried for
 * the events that did not land only.
 */
export function createHeliconeSink(settings: SinkSettings["helicone"]): Sink {
  const agent = createAgent();
  async function send(r: DispatchRecord): Promise<{ id: string; status: number | "error"; detail: string }> {
    try {
      const result = await post(agent, settings.url, JSON.stringify(heliconePayload(r)), { authorization: `Bearer ${settings.apiKey}` }, settings.timeoutMs);
      return { id: r.id, status: result.status, detail: result.body };
    } catch (error) {
      return { id: r.id, status: "error", detail: (error as Error).message };
    }
  }
  return {
    name: "helicone",
    async deliver(records: readonly DispatchRecord[]): Promise<SinkOutcome> {
      // Events without an answer have nothing to log, as in the original.
      const calls = records.filter((r) => isLlmCall(r) && r.response !== null);
      const results = [];
      for (let i = 0; i < calls.length; i += CONCURRENCY) results.push(...(await Promise.all(calls.slice(i, i + CONCURRENCY).map(send))));
      const rejected: Rejection[] = [];
      const retry = new Set<string>();
      let lastError = "";
      for (const r of results) {
        if (typeof r.status === "number" && r.status >= 200 && r.status < 300) continue;
        lastError = `helicone answered ${r.status}: ${r.detail}`;
        if (r.status === "error" || isRetryableStatus(r.status)) retry.add(r.id);
        else rejected.push({ id: r.id, reason: lastError });
      }
      // Rejections found in this pass are reported with the retry so they are not sent again.
      if (retry.size > 0) throw new SinkError(lastError, false, retry, rejected);
      return { rejected, skipped: records.length - calls.length };
    },
    async close(): Promise<void> {
      await agent.close();
    },
  };
}

const time = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), milliseconds: d.getTime() % 1000 });

export function heliconePayload(r: DispatchRecord): Record<string, unknown> {
  const responseJson = typeof r.response === "object" && r.response !== null && !Array.isArray(r.response) ? { ...r.response } : { text: r.response };
  // Helicone prices from `usage`; inject ours when the provider's body had none (e.g. streams).
  if (r.usage && !("usage" in responseJson)) Object.assign(responseJson, { usage: { prompt_tokens: r.usage.prompt_tokens, completion_tokens: r.usage.completion_tokens, total_tokens: r.usage.total_tokens } });
  return {
    providerRequest: {
      url: r.path,
      json: typeof r.request === "object" && r.request !== null ? r.request : {},
      meta: {
        request_id: r.request_id,
        provider: r.provider,
        "Helicone-Provider": r.provider,
        "Helicone-Property-Project-Id": r.project_id,
        "Helicone-Property-Token-Id": r.token_id,
      },
    },
    providerResponse: { status: r.status, headers: {}, json: responseJson },
    timing: { startTime: time(new Date(r.timestamp)), endTime: time(endTime(r)) },
  };
}
