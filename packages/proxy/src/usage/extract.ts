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

function fromUsage(u: UsageLike | undefined): TokenUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const prompt = Number(u.prompt_tokens ?? u.input_tokens ?? NaN);
  const completion = Number(u.completion_tokens ?? u.output_tokens ?? 0);
  return Number.isFinite(prompt) ? { prompt, completion: Number.isFinite(completion) ? completion : 0 } : undefined;
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
      anthropicOut = Number(obj.usage.output_tokens ?? 0);
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
