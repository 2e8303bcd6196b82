import { describe, expect, it } from "vitest";
import { backoffMs, deliverWithRetry } from "./delivery.js";
import { SinkError, type Sink, type SinkOutcome } from "./sinks/sink.js";
import type { DispatchRecord } from "./transform/record.js";

const records = (...ids: string[]) => ids.map((id) => ({ id }) as DispatchRecord);
const policy = { maxAttempts: 4, baseMs: 1, maxMs: 4 };

function scripted(...steps: Array<(batch: readonly DispatchRecord[]) => SinkOutcome>): Sink & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    name: "webhook",
    calls,
    async deliver(batch) {
      calls.push(batch.map((r) => r.id));
      const step = steps[Math.min(calls.length - 1, steps.length - 1)];
      if (!step) throw new Error("no step");
      return step(batch);
    },
    async close() {},
  };
}

describe("delivery with retries", () => {
  it("backs off exponentially with jitter, capped", () => {
    const p = { baseMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4].map((a) => backoffMs(a, p, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, p, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(10, p, () => 1)).toBe(30_000);
  });

  it("retries transient failures and then succeeds", async () => {
    const sink = scripted(() => {
      throw new SinkError("503", false);
    }, () => ({ rejected: [], skipped: 0 }));
    const result = await deliverWithRetry(sink, records("a", "b"), policy, new AbortController().signal);
    expect(result).toEqual({ kind: "done", rejected: [], skipped: 0, retries: 1 });
    expect(sink.calls).toEqual([["a", "b"], ["a", "b"]]);
  });

  it("does not retry a permanent failure", async () => {
    const sink = scripted(() => {
      throw new SinkError("400", true);
    });
    const result = await deliverWithRetry(sink, records("a"), policy, new AbortController().signal);
    expect(result).toEqual({ kind: "done", rejected: [{ id: "a", reason: "rejected:webhook: 400" }], skipped: 0, retries: 0 });
    expect(sink.calls).toHaveLength(1);
  });

  it("retries only what did not land and keeps per-event refusals", async () => {
    const sink = scripted(() => {
      throw new SinkError("500", false, new Set(["b"]), [{ id: "c", reason: "400" }]);
    }, () => ({ rejected: [], skipped: 0 }));
    const result = await deliverWithRetry(sink, records("a", "b", "c"), policy, new AbortController().signal);
    expect(sink.calls).toEqual([["a", "b", "c"], ["b"]]);
    expect(result).toMatchObject({ kind: "done", rejected: [{ id: "c", reason: "rejected:webhook: 400" }] });
  });

  it("gives up after maxAttempts with a reason", async () => {
    const sink = scripted(() => {
      throw new Error("ECONNREFUSED");
    });
    const result = await deliverWithRetry(sink, records("a"), policy, new AbortController().signal);
    expect(sink.calls).toHaveLength(4);
    expect(result).toEqual({ kind: "done", rejected: [{ id: "a", reason: "retries_exhausted:webhook: 4 attempts, last: ECONNREFUSED" }], skipped: 0, retries: 3 });
  });

  it("returns aborted when shutdown interrupts a back-off", async () => {
    const controller = new AbortController();
    const sink = scripted(() => {
      controller.abort();
      throw new SinkError("503", false);
    });
    expect(await deliverWithRetry(sink, records("a"), { ...policy, baseMs: 60_000, maxMs: 60_000 }, controller.signal)).toEqual({ kind: "aborted" });
  });
});
