/**
 * What the tokenizer fallback counts, as pure functions of the bodies: run in the tokenizer
 * worker (tokenizer-worker.ts), never on the event loop.
 */

/** Longest text tokenized exactly (~250k tokens, ~0.2 s of one core); beyond it, extrapolated. */
export const MAX_TOKENIZED_CHARS = 1024 * 1024;

/** The texts of a request body: instructions, prompt, input and every message's content. */
export function promptParts(body: string): string[] {
  try {
    const req = JSON.parse(body) as { messages?: { content?: unknown }[]; input?: unknown; prompt?: unknown; instructions?: unknown };
    const parts: unknown[] = [req.instructions, req.prompt, req.input, ...(Array.isArray(req.messages) ? req.messages.map((m) => m?.content) : [])];
    return parts.flatMap((p) => (p === undefined || p === null ? [] : [typeof p === "string" ? p : JSON.stringify(p)]));
  } catch {
    return [];
  }
}

/** The generated text of a response: Chat Completions, Completions or Responses, JSON or SSE. */
export function completionText(body: string, streaming: boolean): string {
  if (!streaming) {
    try {
      const res = JSON.parse(body) as { choices?: { message?: { content?: string }; text?: string }[]; output_text?: string };
      return res.output_text ?? res.choices?.map((c) => c.message?.content ?? c.text ?? "").join("") ?? "";
    } catch {
      return "";
    }
  }
  let text = "";
  for (const line of body.split("\n")) {
    if (!line.startsWith("data:")) continue;
    try {
      const chunk = JSON.parse(line.slice(5)) as { choices?: { delta?: { content?: string } }[]; delta?: string; type?: string };
      text += chunk.choices?.[0]?.delta?.content ?? (chunk.type === "response.output_text.delta" ? (chunk.delta ?? "") : "");
    } catch {
      // [DONE] and keep-alive comments
    }
  }
  return text;
}

/** A rough count without a tokenizer: English text averages ~4 bytes of UTF-8 per o200k token. */
export const estimateTokens = (bytes: number): number => Math.ceil(bytes / 4);

/**
 * Tokens in `texts`, exact up to `maxChars` characters in all. Past that budget a text is counted
 * on its first characters and scaled by its length, so the cost stays bounded while the
 * estimate keeps that text's own density (code, CJK, numbers differ a lot from 4 bytes a token).
 */
export function countWithin(texts: string[], countTokens: (text: string) => number, maxChars = MAX_TOKENIZED_CHARS): number {
  let budget = maxChars;
  let total = 0;
  for (const text of texts) {
    if (text.length <= budget) {
      total += text ? countTokens(text) : 0;
      budget -= text.length;
      continue;
    }
    // Never end the sample between the halves of a surrogate pair.
    let end = budget;
    if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1] ?? "")) end--;
    const sample = text.slice(0, end);
    total += sample.length >= 1024 ? Math.round((countTokens(sample) * text.length) / sample.length) : estimateTokens(Buffer.byteLength(text));
    budget = 0;
  }
  return total;
}
