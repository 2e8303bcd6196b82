/**
 * Token usage, one rule for the proxy (what it stores and puts in events) and the dispatcher
 * (what Lunary and Helicone receive): the counts an upstream reported, else the texts a tokenizer
 * counts. Pure functions; the tokenizer itself is the caller's (the proxy runs it in a worker).
 */

/** Prompt and completion token counts as the upstream reported them. */
export interface TokenUsage {
  /** Every input token, cached ones included (Anthropic's cache reads and writes added in). */
  prompt: number;
  completion: number;
  /** Of `prompt`, the tokens read from the provider's prompt cache, when it reported them. */
  cached?: number;
  /** The model the response names, when it names one. */
  model?: string;
}

interface UsageLike {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  input_tokens?: unknown;
  output_tokens?: unknown;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  input_tokens_details?: { cached_tokens?: unknown } | null;
  cache_read_input_tokens?: unknown;
  cache_creation_input_tokens?: unknown;
}

/** Largest count believed (int4, as the usage store keeps it); upstreams report far less. */
export const MAX_COUNT = 2_147_483_647;

/**
 * A count as an upstream sends it: a JSON number ≥ 0, whole, at most MAX_COUNT. Anything else
 * (a string, NaN, a negative) is no count, so it reaches neither storage nor events.
 */
export function tokenCount(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), MAX_COUNT) : undefined;
}

/**
 * The counts of a `usage` object in the Chat Completions, Responses or Anthropic shape, with
 * the cached input tokens (`prompt_tokens_details.cached_tokens`, `input_tokens_details.cached_tokens`,
 * Anthropic's `cache_read_input_tokens`, which like its cache writes is not in its `input_tokens`).
 */
export function fromUsage(u: UsageLike | undefined): TokenUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const cacheRead = tokenCount(u.cache_read_input_tokens);
  const cacheWrite = tokenCount(u.cache_creation_input_tokens);
  let prompt = tokenCount(u.prompt_tokens) ?? tokenCount(u.input_tokens);
  if (prompt === undefined) return undefined;
  prompt = Math.min(prompt + (cacheRead ?? 0) + (cacheWrite ?? 0), MAX_COUNT);
  const completion = tokenCount(u.completion_tokens) ?? tokenCount(u.output_tokens) ?? 0;
  const cached = tokenCount(u.prompt_tokens_details?.cached_tokens) ?? tokenCount(u.input_tokens_details?.cached_tokens) ?? cacheRead;
  return cached === undefined ? { prompt, completion } : { prompt, completion, cached: Math.min(cached, prompt) };
}

/** Notes the model a response names on its (fresh) usage. */
function withModel(u: TokenUsage | undefined, model: unknown): TokenUsage | undefined {
  if (u && typeof model === "string" && model !== "") u.model = model;
  return u;
}

/** `usage` of a JSON response: Chat Completions, Completions, Embeddings, Responses, Anthropic. */
export function usageFromJson(body: string): TokenUsage | undefined {
  try {
    const parsed = JSON.parse(body) as { usage?: UsageLike; model?: unknown };
    return withModel(fromUsage(parsed.usage), parsed.model);
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
    let obj: { usage?: UsageLike; model?: unknown; response?: { usage?: UsageLike; model?: unknown }; message?: { usage?: UsageLike; model?: unknown }; type?: string };
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
      return withModel(u && { ...u, completion: anthropicOut ?? u.completion }, obj.message.model);
    }
    const u = fromUsage(obj.usage ?? obj.response?.usage);
    if (u) return withModel(u, obj.model ?? obj.response?.model);
  }
  return undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The text of a message content: a string, or the text parts of an array of parts (nested too). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === "string" ? part : isObject(part) ? (typeof part.text === "string" ? part.text : contentText(part.content)) : "")).join("");
  return "";
}

/** The arguments of tool calls in a Chat Completions message (they are model-produced tokens). */
function toolArguments(message: Json): string[] {
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  return calls.map((c) => (isObject(c) && isObject(c.function) && typeof c.function.arguments === "string" ? c.function.arguments : ""));
}

/**
 * The texts a request gives the model: instructions, the prompt, Responses `input` and every
 * message's text (tool-call arguments of earlier assistant turns included).
 */
export function promptTexts(request: unknown): string[] {
  if (!isObject(request)) return [];
  const texts: string[] = [];
  if (typeof request.instructions === "string") texts.push(request.instructions);
  if (typeof request.system === "string" || Array.isArray(request.system)) texts.push(contentText(request.system));
  if (typeof request.prompt === "string") texts.push(request.prompt);
  if (Array.isArray(request.prompt)) texts.push(...request.prompt.filter((p): p is string => typeof p === "string"));
  if (request.input !== undefined) texts.push(...(Array.isArray(request.input) ? request.input.map((i) => (isObject(i) ? contentText(i.content ?? i.text ?? i.output ?? i.arguments) : contentText(i))) : [contentText(request.input)]));
  for (const m of Array.isArray(request.messages) ? request.messages : []) if (isObject(m)) texts.push(contentText(m.content), ...toolArguments(m));
  return texts.filter((t) => t !== "");
}

/**
 * The texts a (whole, or merged from a stream) response produced: Chat Completions choices with
 * their tool-call arguments, Completions text, Responses output (messages and function calls),
 * Anthropic content blocks (text and tool input).
 */
export function completionTexts(response: unknown): string[] {
  if (!isObject(response)) return [];
  const texts: string[] = [];
  for (const c of Array.isArray(response.choices) ? response.choices : []) {
    if (!isObject(c)) continue;
    if (typeof c.text === "string") texts.push(c.text);
    if (isObject(c.message)) texts.push(contentText(c.message.content), ...toolArguments(c.message));
  }
  if (Array.isArray(response.output)) {
    for (const item of response.output) {
      if (!isObject(item)) continue;
      if (typeof item.arguments === "string") texts.push(item.arguments);
      else texts.push(contentText(item.content));
    }
  } else if (typeof response.output_text === "string") texts.push(response.output_text);
  if (response.type === "message" && Array.isArray(response.content)) {
    for (const block of response.content) if (isObject(block)) texts.push(typeof block.text === "string" ? block.text : block.input !== undefined ? JSON.stringify(block.input) : "");
  }
  return texts.filter((t) => t !== "");
}

/**
 * The texts of an SSE stream's deltas: Chat Completions content and tool-call argument
 * fragments, Completions text, Responses output text and function-call argument deltas,
 * Anthropic text and tool-input deltas.
 */
export function streamCompletionTexts(sse: string): string[] {
  const texts: string[] = [];
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data:")) continue;
    let chunk: unknown;
    try {
      chunk = JSON.parse(line.slice(5));
    } catch {
      continue; // [DONE] and keep-alive comments
    }
    if (!isObject(chunk)) continue;
    for (const c of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(c)) continue;
      if (typeof c.text === "string") texts.push(c.text);
      if (isObject(c.delta)) texts.push(contentText(c.delta.content), ...toolArguments(c.delta));
    }
    if ((chunk.type === "response.output_text.delta" || chunk.type === "response.function_call_arguments.delta") && typeof chunk.delta === "string") texts.push(chunk.delta);
    if (chunk.type === "content_block_delta" && isObject(chunk.delta)) {
      const d = chunk.delta;
      texts.push(typeof d.text === "string" ? d.text : typeof d.partial_json === "string" ? d.partial_json : "");
    }
  }
  const joined = texts.join("");
  return joined === "" ? [] : [joined];
}

/** Longest text tokenized exactly (~250k tokens, ~0.2 s of one core); beyond it, extrapolated. */
export const MAX_TOKENIZED_CHARS = 1024 * 1024;

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
