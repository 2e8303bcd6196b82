import { describe, expect, it } from "vitest";
import { usageFromJson, usageFromSseTail } from "./extract.js";

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
