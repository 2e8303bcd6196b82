import type { Usage } from "@llm-proxy/events";
import { completionTexts, countWithin, fromUsage, promptTexts } from "@llm-proxy/events/usage";
import type * as Tokenizer from "gpt-tokenizer/encoding/o200k_base";

export type UsageSource = "event" | "response" | "estimated";
export type RecordUsage = Usage & { source: UsageSource };

const usage = (prompt: number, completion: number): Usage => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });

// The tokenizer's tables cost ~70 MB of memory: loaded on the first event that needs an estimate.
let tokenizer: Promise<typeof Tokenizer> | undefined;

/**
 * Usage from the event, else the response body, else counted with the tokenizer: the proxy's
 * rule (`@llm-proxy/events/usage`), so sinks receive what the proxy stored.
 */
export async function resolveUsage(fromEvent: Usage | null, request: unknown, response: unknown): Promise<RecordUsage | null> {
  if (fromEvent) return { ...fromEvent, source: "event" };
  const reported = typeof response === "object" && response !== null ? fromUsage((response as { usage?: never }).usage) : undefined;
  if (reported) return { ...usage(reported.prompt, reported.completion), source: "response" };
  const prompt = promptTexts(request);
  const completion = completionTexts(response);
  if (prompt.length === 0 && completion.length === 0) return null;
  const { countTokens } = await (tokenizer ??= import("gpt-tokenizer/encoding/o200k_base"));
  return { ...usage(countWithin(prompt, countTokens), countWithin(completion, countTokens)), source: "estimated" };
}
