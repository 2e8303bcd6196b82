import { describe, expect, it } from "vitest";
import { throttledWarnings } from "./client.js";

describe("throttledWarnings", () => {
  it("logs the first error of each kind per window, then the next one after it", () => {
    const lines: [object, string][] = [];
    let now = 0;
    const warn = throttledWarnings({ warn: (obj, msg) => void lines.push([obj, msg]) }, 60_000, () => now);
    const down = warn("redis unavailable");
    const stream = warn("event stream write failed");
    down(new Error("ECONNREFUSED"));
    down(new Error("ECONNREFUSED"));
    stream(new Error("timeout"));
    now = 59_999;
    down(new Error("ECONNREFUSED"));
    expect(lines).toEqual([
      [{ err: "ECONNREFUSED" }, "redis unavailable"],
      [{ err: "timeout" }, "event stream write failed"],
    ]);
    now = 60_000;
    down("not an Error");
    expect(lines.at(-1)).toEqual([{ err: "not an Error" }, "redis unavailable"]);
  });
});
