/** Prompt and completion token counts as the upstream reported them. */
export interface TokenUsage {
  prompt: number;
  completion: number;
}

interface UsageLike {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  input_tokens?: unknown;
  output_tokens?: unknown;
}

/** Largest count believed (int4, as the usage store keeps it); upstreams report far less. */
const MAX_COUNT = 2_147_483_647;

/**
 * A count as an upstream sends it: a JSON number ≥ 0, whole, at most MAX_COUNT. Anything else
 * (a string, NaN, a negative) is no count, so it reaches neither storage nor events.
 */
function tokenCount(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), MAX_COUNT) : undefined;
}

function fromUsage(u: UsageLike | undefined): TokenUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const prompt = tokenCount(u.prompt_tokens) ?? tokenCount(u.input_tokens);
  const completion = tokenCount(u.completion_tokens) ?? tokenCount(u.output_tokens) ?? 0;
  return prompt === undefined ? undefined : { prompt, completion };
}

/** `usage` of a JSON response: Chat Completions, Completions, Embeddings, Responses, Anthropic. */
export function usageFromJson(body: string): TokenUsage | undefined {
  try {
    return fromUsage((JSON.parse(body) as { usage?: UsageLike }).usage);
  } catch {
    return undefined;
  }
}

/**
 * Usage from the tail of an SSE stream, without parsing every chunk: the final events carry it
 * (`stream_options.include_usage`, Responses `response.completed`, Anthropic `message_delta`).
 */
export function usageFromSseTail(tail: string): TokenUsage | undefined {
  const events = tail.split(/\r?\n\r?\n/);
  let anthropicOut: number | undefined;
  for (let i = events.length - 1; i >= 0; i--) {
    const ev = events[i] ?? "";
    if (!ev.includes("usage")) continue;
    const data = ev
      .split(/\r?\n/)
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n");
    if (!data || data === "[DONE]") continue;
    let obj: { usage?: UsageLike; response?: { usage?: UsageLike }; message?: { usage?: UsageLike }; type?: string };
    try {
      obj = JSON.parse(data) as typeof obj;
    } catch {
      continue;
    }
    if (obj.type === "message_delta" && obj.usage) {
      anthropicOut = tokenCount(obj.usage.output_tokens) ?? 0;
      continue;
    }
    if (obj.type === "message_start" && obj.message?.usage) {
      const u = fromUsage(obj.message.usage);
      return u && { prompt: u.prompt, completion: anthropicOut ?? u.completion };
    }
    const u = fromUsage(obj.usage ?? obj.response?.usage);
    if (u) return u;
  }
  return undefined;
}
