import type { Usage } from "@llm-proxy/events";
import type * as Tokenizer from "gpt-tokenizer";

export type UsageSource = "event" | "response" | "estimated";
export type RecordUsage = Usage & { source: UsageSource };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Reads `usage` in the chat/completions shape or the Responses API shape. */
export function usageFromResponse(response: unknown): Usage | undefined {
  if (!isObject(response) || !isObject(response.usage)) return undefined;
  const u = response.usage;
  const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
  const completion = count(u.completion_tokens) ?? count(u.output_tokens);
  if (prompt === undefined || completion === undefined) return undefined;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: count(u.total_tokens) ?? prompt + completion };
}

/** Text the model was given: chat messages, a completion prompt, or a Responses `input`. */
export function promptText(request: unknown): string | undefined {
  if (!isObject(request)) return undefined;
  if (Array.isArray(request.messages)) return request.messages.map((m) => (isObject(m) ? contentText(m.content) : "")).join("\n");
  if (typeof request.prompt === "string") return request.prompt;
  if (Array.isArray(request.prompt)) return request.prompt.filter((p) => typeof p === "string").join("\n");
  if (request.input !== undefined) return contentText(request.input);
  return undefined;
}

/** Text the model produced in a (merged) chat or text completion. */
export function completionText(response: unknown): string | undefined {
  if (!isObject(response) || !Array.isArray(response.choices)) return undefined;
  return response.choices
    .map((c) => {
      if (!isObject(c)) return "";
      if (typeof c.text === "string") return c.text;
      const message = isObject(c.message) ? c.message : {};
      const calls = Array.isArray(message.tool_calls) ? message.tool_calls.map((t) => (isObject(t) && isObject(t.function) ? String(t.function.arguments ?? "") : "")) : [];
      return [contentText(message.content), ...calls].join("");
    })
    .join("\n");
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (isObject(part) ? (typeof part.text === "string" ? part.text : contentText(part.content)) : typeof part === "string" ? part : "")).join("");
  return "";
}

// The tokenizer's tables cost ~70 MB of memory: loaded on the first event that needs an estimate.
let tokenizer: Promise<typeof Tokenizer> | undefined;

/** Usage from the event, else the response body, else counted with the tokenizer (an estimate). */
export async function resolveUsage(fromEvent: Usage | null, request: unknown, response: unknown): Promise<RecordUsage | null> {
  if (fromEvent) return { ...fromEvent, source: "event" };
  const reported = usageFromResponse(response);
  if (reported) return { ...reported, source: "response" };
  const prompt = promptText(request);
  const completion = completionText(response);
  if (prompt === undefined || completion === undefined) return null;
  const { countTokens } = await (tokenizer ??= import("gpt-tokenizer"));
  const prompt_tokens = countTokens(prompt);
  const completion_tokens = countTokens(completion);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens, source: "estimated" };
}
