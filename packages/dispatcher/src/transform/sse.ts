/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export type SseMessage = { event: string | undefined; data: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Splits an SSE body into messages; a final message cut by the capture cap is dropped. */
export function parseSse(text: string): SseMessage[] {
  const messages: SseMessage[] = [];
  const blocks = text.replace(/\r\n?/g, "\n").split("\n\n");
  // Without a trailing blank line the last block may be a torn capture: keep it only if it parses.
  for (const block of blocks) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      else if (line.startsWith("event:")) event = line.slice(6).trim();
    }
    if (data.length > 0) messages.push({ event, data: data.join("\n") });
  }
  return messages;
}

function parseJson(data: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Merges an OpenAI-style stream into the object the non-streamed call returns, or undefined. */
export function mergeSse(text: string): Json | undefined {
  const messages = parseSse(text);
  const payloads = messages.filter((m) => m.data !== "[DONE]").map((m) => ({ event: m.event, json: parseJson(m.data) }));
  const objects = payloads.flatMap((p) => (p.json ? [{ event: p.event, json: p.json }] : []));
  if (objects.length === 0) return undefined;
  const first = objects[0]?.json;
  if (first?.object === "chat.completion.chunk") return mergeChatChunks(objects.map((o) => o.json));
  if (first?.object === "text_completion") return mergeTextCompletion(objects.map((o) => o.json));
  const completed = objects.find((o) => o.json.type === "response.completed" && isObject(o.json.response));
  if (completed) return completed.json.response as Json;
  const runs = objects.filter((o) => o.event?.startsWith("thread.run") && o.json.object === "thread.run");
  if (runs.length > 0) return mergeThreadRun(runs[runs.length - 1]?.json ?? {}, objects);
  return undefined;
}

type ChoiceState = { index: number; role: string; content: string | null; refusal: string | null; toolCalls: Json[]; finish: unknown; logprobs: unknown };

function mergeChatChunks(chunks: Json[]): Json {
  const choices = new Map<number, ChoiceState>();
  let usage: unknown = null;
  const head = chunks[0] ?? {};
  const tail: Json = {};
  for (const chunk of chunks) {
    if (isObject(chunk.usage)) usage = chunk.usage;
    for (const key of ["service_tier", "system_fingerprint"]) if (chunk[key] !== undefined) tail[key] = chunk[key];
    for (const raw of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(raw)) continue;
      const index = typeof raw.index === "number" ? raw.index : 0;
      const state = choices.get(index) ?? { index, role: "assistant", content: null, refusal: null, toolCalls: [], finish: null, logprobs: null };
      choices.set(index, state);
      applyDelta(state, isObject(raw.delta) ? raw.delta : {});
      if (raw.finish_reason != null) state.finish = raw.finish_reason;
      if (raw.logprobs != null) state.logprobs = raw.logprobs;
    }
  }
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    choices: [...choices.values()].sort((a, b) => a.index - b.index).map(renderChoice),
    usage,
    ...tail,
  };
}

function applyDelta(state: ChoiceState, delta: Json): void {
  if (typeof delta.role === "string") state.role = delta.role;
  if (typeof delta.content === "string") state.content = (state.content ?? "") + delta.content;
  if (typeof delta.refusal === "string") state.refusal = (state.refusal ?? "") + delta.refusal;
  for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
    if (!isObject(call)) continue;
    // Tool calls arrive as fragments keyed by index; arguments are concatenated in order.
    const index = typeof call.index === "number" ? call.index : state.toolCalls.length;
    const fn = isObject(call.function) ? call.function : {};
    const existing = state.toolCalls[index];
    if (!existing) {
      state.toolCalls[index] = { id: call.id, type: call.type ?? "function", function: { name: fn.name ?? "", arguments: typeof fn.arguments === "string" ? fn.arguments : "" } };
      continue;
    }
    const target = existing.function as Json;
    if (typeof fn.arguments === "string") target.arguments = String(target.arguments ?? "") + fn.arguments;
    if (typeof fn.name === "string" && fn.name) target.name = fn.name;
    if (typeof call.id === "string") existing.id = call.id;
  }
}

function renderChoice(state: ChoiceState): Json {
  const message: Json = { role: state.role, content: state.content, refusal: state.refusal };
  if (state.toolCalls.length > 0) message.tool_calls = state.toolCalls.filter(Boolean);
  return { index: state.index, message, logprobs: state.logprobs, finish_reason: state.finish };
}

function mergeTextCompletion(chunks: Json[]): Json {
  const texts = new Map<number, { text: string; finish: unknown }>();
  let usage: unknown = null;
  for (const chunk of chunks) {
    if (isObject(chunk.usage)) usage = chunk.usage;
    for (const raw of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(raw)) continue;
      const index = typeof raw.index === "number" ? raw.index : 0;
      const state = texts.get(index) ?? { text: "", finish: null };
      if (typeof raw.text === "string") state.text += raw.text;
      if (raw.finish_reason != null) state.finish = raw.finish_reason;
      texts.set(index, state);
    }
  }
  const head = chunks[0] ?? {};
  const choices = [...texts.entries()].sort(([a], [b]) => a - b).map(([index, s]) => ({ index, text: s.text, logprobs: null, finish_reason: s.finish }));
  return { id: head.id, object: "text_completion", created: head.created, model: head.model, choices, usage };
}

function mergeThreadRun(run: Json, objects: Array<{ event: string | undefined; json: Json }>): Json {
  const messages = objects.filter((o) => o.event === "thread.message.completed").map((o) => o.json);
  return { ...run, messages };
}
