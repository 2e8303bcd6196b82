import { describe, expect, it } from "vitest";
import { pickTopLevel } from "./json-pick.js";

/** A small deterministic generator, so that a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const TRICKY = ['"usage":', "{", "}", "[", "]", "\\", '\\"', '"', "model", "é", "🚀", "\n", ":", ",", " "];

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 4 : 7));
  if (k === 0) return Math.floor(r() * 1000) - 500 + (r() < 0.3 ? 0.25 : 0);
  if (k === 1) return Array.from({ length: 1 + Math.floor(r() * 4) }, () => TRICKY[Math.floor(r() * TRICKY.length)]).join("");
  if (k === 2) return r() < 0.5 ? null : r() < 0.5;
  if (k === 3) return "plain";
  if (k === 4 || k === 5) return object(r, depth + 1);
  return Array.from({ length: Math.floor(r() * 3) }, () => value(r, depth + 1));
}

function object(r: () => number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = ["usage", "model", "id", "choices", 'a"b', "x\\y", "{", "usage "];
  for (let i = Math.floor(r() * 6); i > 0; i--) out[keys[Math.floor(r() * keys.length)] as string] = value(r, depth);
  return out;
}

describe("pickTopLevel", () => {
  it("finds the top-level values JSON.parse finds, across nesting, tricky strings and spacing", () => {
    const r = rng(42);
    for (let n = 0; n < 3000; n++) {
      const obj = object(r, 0);
      const text = JSON.stringify(obj, null, n % 3 === 0 ? 2 : n % 3 === 1 ? undefined : "\t");
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const expected: Record<string, unknown> = {};
      for (const k of ["usage", "model"]) if (k in parsed) expected[k] = parsed[k];
      expect(pickTopLevel(text, ["usage", "model"]), text).toEqual(expected);
    }
  });

  it("takes the last of a key given twice, as JSON.parse does", () => {
    expect(pickTopLevel('{"model":"a","x":{"model":"inner"},"model":"b"}', ["model"])).toEqual({ model: "b" });
  });

  it("never throws on what is not a JSON object, and answers undefined", () => {
    for (const text of ["", "[1,2]", '"usage"', "null", "{", '{"usage":', '{"usage":{"a":1}', '{"a":"unterminated}', "{]", "   "]) {
      expect(() => pickTopLevel(text, ["usage"])).not.toThrow();
    }
    expect(pickTopLevel("[1]", ["usage"])).toBeUndefined();
    expect(pickTopLevel('{"usage":{"a":1}', ["usage"])).toBeUndefined();
    // A value that is not JSON is left out, the others are kept.
    expect(pickTopLevel('{"usage":nope,"model":"m"}', ["usage", "model"])).toEqual({ model: "m" });
  });
});
