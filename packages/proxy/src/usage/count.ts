type Counter = (text: string) => number;
let counter: Promise<Counter> | undefined;

/** Loaded on first use: most upstreams report usage, and the encoding costs memory and ~200 ms. */
function tokenizer(): Promise<Counter> {
  counter ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => m.countTokens);
  return counter;
}

/**
 * Tokenizer fallback for responses that carry no `usage`: o200k_base, the encoding of every
 * current OpenAI chat model. Counts are estimates (no per-message framing tokens).
 */
export async function countPromptTokens(body: Buffer): Promise<number> {
  const countTokens = await tokenizer();
  try {
    const req = JSON.parse(body.toString("utf8")) as { messages?: { content?: unknown }[]; input?: unknown; prompt?: unknown; instructions?: unknown };
    const parts: unknown[] = [req.instructions, req.prompt, req.input, ...(req.messages ?? []).map((m) => m.content)];
    return parts.reduce<number>((n, p) => n + (p === undefined || p === null ? 0 : countTokens(typeof p === "string" ? p : JSON.stringify(p))), 0);
  } catch {
    return 0;
  }
}

export async function countCompletionTokens(body: string, streaming: boolean): Promise<number> {
  const countTokens = await tokenizer();
  let text = "";
  if (streaming) {
    for (const line of body.split("\n")) {
      if (!line.startsWith("data:")) continue;
      try {
        const chunk = JSON.parse(line.slice(5)) as { choices?: { delta?: { content?: string } }[]; delta?: string; type?: string };
        text += chunk.choices?.[0]?.delta?.content ?? (chunk.type === "response.output_text.delta" ? (chunk.delta ?? "") : "");
      } catch {
        // [DONE] and keep-alive comments
      }
    }
  } else {
    try {
      const res = JSON.parse(body) as { choices?: { message?: { content?: string }; text?: string }[]; output_text?: string };
      text = res.output_text ?? res.choices?.map((c) => c.message?.content ?? c.text ?? "").join("") ?? "";
    } catch {
      return 0;
    }
  }
  return text ? countTokens(text) : 0;
}
