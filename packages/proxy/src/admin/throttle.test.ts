import { describe, expect, it } from "vitest";
import { loginThrottle } from "./throttle.js";

describe("login throttle", () => {
  it("delays every failure and locks an address out after the free failures, growing", () => {
    const t = loginThrottle({ failureDelayMs: 300, freeFailures: 2, maxLockMs: 4000 });
    const now = 1_000_000;
    expect(t.failed("ip", now)).toBe(300);
    expect(t.failed("ip", now)).toBe(300);
    expect(t.retryAfterMs("ip", now)).toBe(0);
    t.failed("ip", now);
    expect(t.retryAfterMs("ip", now)).toBe(1000);
    t.failed("ip", now);
    expect(t.retryAfterMs("ip", now)).toBe(2000);
    for (let i = 0; i < 5; i++) t.failed("ip", now);
    expect(t.retryAfterMs("ip", now)).toBe(4000);
    expect(t.retryAfterMs("other", now)).toBe(0);
    t.succeeded("ip");
    expect(t.retryAfterMs("ip", now)).toBe(0);
  });

  it("forgets failures after the window", () => {
    const t = loginThrottle({ freeFailures: 0, windowMs: 1000 });
    t.failed("ip", 0);
    expect(t.retryAfterMs("ip", 10)).toBeGreaterThan(0);
    expect(t.retryAfterMs("ip", 5000)).toBe(0);
  });
});
