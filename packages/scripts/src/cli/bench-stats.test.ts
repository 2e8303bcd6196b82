import { describe, expect, it } from "vitest";
import { cacheOutcome, distribution, summarize, upstreamMs, type Sample } from "./bench-stats.js";

const sample = (ms: number, extra: Partial<Sample> = {}): Sample => ({ ms, status: 200, upstreamMs: undefined, cache: undefined, error: undefined, ...extra });

describe("bench statistics", () => {
  it("nearest-rank percentiles", () => {
    const d = distribution(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(d).toEqual({ avg: 50.5, min: 1, p50: 50, p90: 90, p95: 95, p99: 99, max: 100 });
    expect(distribution([])).toMatchObject({ avg: 0, p99: 0 });
    expect(distribution([7])).toMatchObject({ min: 7, p50: 7, p99: 7, max: 7 });
  });

  it("reads the proxy's nanosecond timing headers and both cache headers", () => {
    expect(upstreamMs(new Headers({ "x-upstream-request-start": "1700000000000000000", "x-upstream-request-stop": "1700000000012500000" }))).toBe(12.5);
    expect(upstreamMs(new Headers({ "x-upstream-request-stop": "1" }))).toBeUndefined();
    expect(cacheOutcome(new Headers({ "cache-status": "llm-proxy; hit; ttl=30" }))).toBe("hit");
    expect(cacheOutcome(new Headers({ "x-proxy-cache": "MISS" }))).toBe("miss");
    expect(cacheOutcome(new Headers())).toBeUndefined();
  });

  it("summarizes statuses, failures, cache and the split", () => {
    const r = summarize(
      [sample(10, { upstreamMs: 8, cache: "miss" }), sample(4, { upstreamMs: 1, cache: "hit" }), sample(3, { status: 429, error: "HTTP 429: slow down" }), sample(1, { status: undefined, error: "ECONNRESET" })],
      2,
      0.5,
    );
    expect(r).toMatchObject({ requests: 4, rps: 8, ok: 2, failed: 2, statuses: { "200": 2, "429": 1, error: 1 }, cache: { hits: 1, misses: 1, unknown: 2 }, firstError: "HTTP 429: slow down" });
    expect(r.split?.samples).toBe(2);
    expect(r.split?.proxyMs).toMatchObject({ min: 2, max: 3 });
  });
});
