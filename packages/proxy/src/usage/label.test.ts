import { describe, expect, it } from "vitest";
import { cleanLabel } from "./label.js";

describe("cleanLabel", () => {
  it("keeps an ordinary model name as it is", () => {
    expect(cleanLabel("gpt-4o-mini-2024-07-18")).toBe("gpt-4o-mini-2024-07-18");
    expect(cleanLabel("claude-3-5-sonnet@20241022")).toBe("claude-3-5-sonnet@20241022");
    expect(cleanLabel("my model v2")).toBe("my model v2");
    expect(cleanLabel(" my model v2 ")).toBe("my model v2");
    expect(cleanLabel("x".repeat(200))).toHaveLength(200);
  });

  it("removes NUL and every other C0 and C1 control character, and DEL", () => {
    expect(cleanLabel("gpt\u0000-4o")).toBe("gpt-4o");
    expect(cleanLabel("a\tb\nc\rd\u001be\u007ff\u0085g\u009fh")).toBe("abcdefgh");
  });

  it("removes line separators and bidirectional overrides, keeps other non-ASCII text", () => {
    expect(cleanLabel("evil\u202egpj.exe\u2028x\u2066y\u2069")).toBe("evilgpj.exexy");
    expect(cleanLabel("模型-ü-😀")).toBe("模型-ü-😀");
  });

  it("trims, including around removed characters, and is undefined when nothing is left", () => {
    expect(cleanLabel("  \u0000 gpt-4o \n")).toBe("gpt-4o");
    expect(cleanLabel(" \u0000\u0001 ")).toBeUndefined();
    expect(cleanLabel("")).toBeUndefined();
  });

  it("is undefined for anything but a string", () => {
    for (const v of [undefined, null, 42, true, { model: "x" }, ["gpt-4o"]]) expect(cleanLabel(v)).toBeUndefined();
  });

  it("caps the length in characters, never splitting a surrogate pair", () => {
    expect(cleanLabel("a".repeat(500))).toHaveLength(200);
    expect(cleanLabel("abcdef", 3)).toBe("abc");
    const emoji = "😀".repeat(10); // 2 UTF-16 units each
    expect(cleanLabel(emoji, 3)).toBe("😀😀😀");
    expect(cleanLabel(`a${emoji}`, 2)).toBe("a😀");
    expect(cleanLabel("ab cd", 3)).toBe("ab");
    expect(cleanLabel("abc", 0)).toBeUndefined();
  });

  it("replaces lone surrogates, which UTF-8 cannot encode", () => {
    expect(cleanLabel("a\ud800b")).toBe("a\ufffdb");
    expect(cleanLabel("a\udc00")).toBe("a\ufffd");
    expect(Buffer.from(cleanLabel("x\ud83d") ?? "", "utf8").toString("utf8")).toBe("x\ufffd");
  });

  it("caps a multi-megabyte value", () => {
    expect(cleanLabel(`\u0000${"m".repeat(4 * 1024 * 1024)}`)).toBe("m".repeat(200));
  });
});
