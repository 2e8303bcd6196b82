import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { completionTexts, countWithin, estimateTokens, promptTexts, streamCompletionTexts, usageFromJson, usageFromSseTail } from "./usage.js";

/** Recorded answers of the real APIs (ids and texts as they came). */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

const sse = (...events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");

describe("usage as the upstream reported it", () => {
  it("reads Chat Completions, Responses and Anthropic usage from a JSON answer", () => {
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: 11, completion_tokens: 7 } }))).toEqual({ prompt: 11, completion: 7 });
    expect(usageFromJson(JSON.stringify({ usage: { input_tokens: 4, output_tokens: 3 } }))).toEqual({ prompt: 4, completion: 3 });
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: 3, total_tokens: 3 } }))).toEqual({ prompt: 3, completion: 0 });
    expect(usageFromJson(JSON.stringify({ choices: [] }))).toBeUndefined();
    expect(usageFromJson("not json")).toBeUndefined();
  });

  it.each([
    ["a string", "12"],
    ["a negative number", -5],
    ["null", null],
    ["an object", { n: 1 }],
  ])("is no usage when the prompt count is %s (the tokenizer counts instead)", (_, value) => {
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: value, completion_tokens: 1 } }))).toBeUndefined();
  });

  it("keeps counts whole and within what storage holds", () => {
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: 10.7, completion_tokens: 1e300 } }))).toEqual({ prompt: 10, completion: 2_147_483_647 });
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: 5, completion_tokens: -1 } }))).toEqual({ prompt: 5, completion: 0 });
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: 5, completion_tokens: "9" } }))).toEqual({ prompt: 5, completion: 0 });
  });

  it("reads the final chunk of a Chat Completions or Responses stream", () => {
    expect(usageFromSseTail(sse({ choices: [{ delta: { content: "x" } }] }, { choices: [], usage: { prompt_tokens: 9, completion_tokens: 5 } }) + "data: [DONE]\n\n")).toEqual({ prompt: 9, completion: 5 });
    expect(usageFromSseTail(sse({ type: "response.completed", response: { usage: { input_tokens: 4, output_tokens: 3 } } }))).toEqual({ prompt: 4, completion: 3 });
    expect(usageFromSseTail(sse({ choices: [{ delta: { content: "x" } }] }))).toBeUndefined();
  });

  it("joins Anthropic's message_start input with message_delta output, ignoring a bad output count", () => {
    const start = { type: "message_start", message: { usage: { input_tokens: 20, output_tokens: 1 } } };
    expect(usageFromSseTail(sse(start, { type: "message_delta", usage: { output_tokens: 15 } }))).toEqual({ prompt: 20, completion: 15 });
    expect(usageFromSseTail(sse(start, { type: "message_delta", usage: { output_tokens: "15" } }))).toEqual({ prompt: 20, completion: 0 });
  });
});

describe("cached input tokens", () => {
  it("reads them in the Chat Completions, Responses and Anthropic shapes", () => {
    expect(usageFromJson(JSON.stringify({ usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 64 } } }))).toEqual({ prompt: 100, completion: 5, cached: 64 });
    expect(usageFromSseTail(sse({ type: "response.completed", response: { model: "gpt-4.1", usage: { input_tokens: 50, output_tokens: 2, input_tokens_details: { cached_tokens: 32 } } } }))).toEqual({ prompt: 50, completion: 2, cached: 32, model: "gpt-4.1" });
  });

  it("adds Anthropic's cache reads and writes to its input_tokens, which leaves them out", () => {
    const usage = { input_tokens: 10, cache_read_input_tokens: 200, cache_creation_input_tokens: 30, output_tokens: 4 };
    expect(usageFromJson(JSON.stringify({ model: "claude-x", usage }))).toEqual({ prompt: 240, completion: 4, cached: 200, model: "claude-x" });
    const start = { type: "message_start", message: { model: "claude-x", usage: { ...usage, output_tokens: 1 } } };
    expect(usageFromSseTail(sse(start, { type: "message_delta", usage: { output_tokens: 9 } }))).toEqual({ prompt: 240, completion: 9, cached: 200, model: "claude-x" });
  });
});

describe("the real fixtures", () => {
  it("reads the usage each API reported, JSON and streamed", () => {
    expect(usageFromJson(fixture("chat-completion.json"))).toEqual({ prompt: 9, completion: 9, model: "gpt-4o-mini-2024-07-18" });
    expect(usageFromSseTail(fixture("chat-completion.sse"))).toEqual({ prompt: 9, completion: 9, model: "gpt-4o-mini-2024-07-18" });
    expect(usageFromJson(fixture("responses.json"))).toEqual({ prompt: 36, completion: 87, cached: 0, model: "gpt-4.1-2025-04-14" });
    expect(usageFromSseTail(fixture("responses.sse"))).toEqual({ prompt: 37, completion: 11, model: "gpt-4.1-2025-04-14" });
    expect(usageFromJson(fixture("anthropic.json"))).toEqual({ prompt: 472, completion: 89, model: "claude-sonnet-4-20250514" });
    expect(usageFromSseTail(fixture("anthropic.sse"))).toEqual({ prompt: 25, completion: 15, model: "claude-sonnet-4-20250514" });
    expect(usageFromSseTail(fixture("tool-call.sse"))).toBeUndefined();
  });

  it("finds the same generated text in a stream as in the whole answer", () => {
    expect(streamCompletionTexts(fixture("chat-completion.sse"))).toEqual(completionTexts(JSON.parse(fixture("chat-completion.json"))));
    const completed = fixture("responses.sse").split("\n").find((l) => l.includes('"response.completed"')) ?? "";
    expect(streamCompletionTexts(fixture("responses.sse"))).toEqual(completionTexts((JSON.parse(completed.slice(5)) as { response: unknown }).response));
  });

  it("counts tool-call arguments as generated text, streamed, whole, Responses and Anthropic alike", () => {
    expect(streamCompletionTexts(fixture("tool-call.sse")).join("")).toContain('{"location":"Paris"}');
    expect(completionTexts({ choices: [{ message: { content: null, tool_calls: [{ function: { name: "f", arguments: '{"a":1}' } }] } }] })).toEqual(['{"a":1}']);
    expect(completionTexts(JSON.parse(fixture("responses.json")))).toEqual(['{"location":"Paris, France"}', "In Paris it is sunny and 21 degrees."]);
    expect(completionTexts(JSON.parse(fixture("anthropic.json")))).toEqual(["I'll check the weather.", '{"location":"San Francisco, CA"}']);
    expect(streamCompletionTexts(fixture("anthropic.sse"))).toEqual(["Hello!"]);
  });
});

describe("what the tokenizer fallback counts", () => {
  it("takes instructions, system, prompt, input and the text of every message, tool-call arguments included", () => {
    const request = {
      instructions: "I",
      system: [{ type: "text", text: "S" }],
      prompt: "P",
      input: [{ role: "user", content: [{ type: "input_text", text: "in" }] }],
      messages: [{ content: "a" }, { content: null }, {}, { content: [{ type: "text", text: "b" }, { type: "image_url", image_url: { url: "data:…" } }] }, { role: "assistant", tool_calls: [{ function: { arguments: '{"x":1}' } }] }],
    };
    expect(promptTexts(request)).toEqual(["I", "S", "P", "in", "a", "b", '{"x":1}']);
    expect(promptTexts("nope")).toEqual([]);
    expect(promptTexts({ messages: 3 })).toEqual([]);
  });

  it("takes the text of Completions and Chat answers and of Responses streams, skipping keep-alives", () => {
    expect(completionTexts({ output_text: "out" })).toEqual(["out"]);
    expect(completionTexts({ choices: [{ text: "a" }, { message: { content: "b" } }] })).toEqual(["a", "b"]);
    const sse = [
      `data: ${JSON.stringify({ choices: [{ delta: { content: "x" } }] })}`,
      `data: ${JSON.stringify({ type: "response.output_text.delta", delta: "y" })}`,
      ": keep-alive",
      "data: [DONE]",
    ].join("\n\n");
    expect(streamCompletionTexts(sse)).toEqual(["xy"]);
  });
});

describe("countWithin", () => {
  it("is exact within the budget", () => {
    expect(countWithin(["hello world", "again"], countTokens, 100)).toBe(countTokens("hello world") + countTokens("again"));
  });
  it("past the budget, scales the count of a text's start by its length", () => {
    const text = "lorem ipsum dolor sit amet ".repeat(4000); // 108,000 characters
    const exact = countTokens(text);
    const extrapolated = countWithin([text], countTokens, 10_000);
    expect(Math.abs(extrapolated - exact) / exact).toBeLessThan(0.02);
  });

  it("shares one budget across texts, and estimates by size when too little of it is left for a sample", () => {
    const first = "a b ".repeat(2000);
    const second = "word ".repeat(1000);
    expect(countWithin([first, second], countTokens, first.length + 10)).toBe(countTokens(first) + estimateTokens(second.length));
  });

  it("never cuts a sample between the halves of a surrogate pair", () => {
    const text = "😀".repeat(5000);
    const seen: string[] = [];
    countWithin([text], (t) => (seen.push(t), countTokens(t)), 2001);
    expect(seen[0]?.length).toBe(2000);
  });
});
