import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { completionText, countWithin, estimateTokens, promptParts } from "./tokenize.js";

describe("what the tokenizer fallback counts", () => {
  it("takes instructions, prompt, input and message contents; structured ones as JSON", () => {
    const body = JSON.stringify({ instructions: "I", prompt: "P", input: [{ type: "text" }], messages: [{ content: "a" }, { content: null }, {}, { content: [{ text: "b" }] }] });
    expect(promptParts(body)).toEqual(["I", "P", '[{"type":"text"}]', "a", '[{"text":"b"}]']);
    expect(promptParts("{broken")).toEqual([]);
    expect(promptParts('{"messages": 3}')).toEqual([]);
  });

  it("takes the text of JSON answers and of Chat Completions and Responses streams", () => {
    expect(completionText(JSON.stringify({ output_text: "out" }), false)).toBe("out");
    expect(completionText(JSON.stringify({ choices: [{ text: "a" }, { message: { content: "b" } }] }), false)).toBe("ab");
    const sse = [
      `data: ${JSON.stringify({ choices: [{ delta: { content: "x" } }] })}`,
      `data: ${JSON.stringify({ type: "response.output_text.delta", delta: "y" })}`,
      ": keep-alive",
      "data: [DONE]",
    ].join("\n\n");
    expect(completionText(sse, true)).toBe("xy");
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
