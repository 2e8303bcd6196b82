import type { DispatchRecord } from "./transform/record.js";
import { SinkError, type Rejection, type Sink } from "./sinks/sink.js";

export type RetryPolicy = { maxAttempts: number; baseMs: number; maxMs: number };

export type DeliveryResult = { kind: "done"; rejected: Rejection[]; skipped: number; retries: number } | { kind: "aborted" };

/** Exponential back-off with equal jitter: half fixed, half random, so instances do not stampede. */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, "baseMs" | "maxMs">, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves true after `ms`, or false at once when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Hands records to a sink until it accepts them, retrying transient failures with back-off.
 * Resolves with the events that must go to the dead letter (refused, or still failing after
 * `maxAttempts`); resolves `aborted` when shutdown interrupts a back-off, leaving the batch unacked.
 */
export async function deliverWithRetry(sink: Sink, records: readonly DispatchRecord[], policy: RetryPolicy, signal: AbortSignal): Promise<DeliveryResult> {
  let pending = records;
  const rejected: Rejection[] = [];
  const refusedBySink = (list: readonly Rejection[]) => list.map((r) => ({ id: r.id, reason: `rejected:${sink.name}: ${r.reason}` }));
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await sink.deliver(pending);
      return { kind: "done", rejected: [...rejected, ...refusedBySink(outcome.rejected)], skipped: outcome.skipped, retries: attempt - 1 };
    } catch (caught) {
      const error = caught instanceof SinkError ? caught : new SinkError((caught as Error)?.message ?? String(caught), false);
      rejected.push(...refusedBySink(error.rejected));
      const refused = new Set(error.rejected.map((r) => r.id));
      pending = pending.filter((r) => !refused.has(r.id) && (!error.remaining || error.remaining.has(r.id)));
      if (error.permanent || attempt >= policy.maxAttempts) {
        const why = error.permanent ? `rejected:${sink.name}: ${error.message}` : `retries_exhausted:${sink.name}: ${attempt} attempts, last: ${error.message}`;
        rejected.push(...pending.map((r) => ({ id: r.id, reason: why })));
        return { kind: "done", rejected, skipped: 0, retries: attempt - 1 };
      }
      if (pending.length === 0) return { kind: "done", rejected, skipped: 0, retries: attempt - 1 };
      if (!(await sleep(backoffMs(attempt, policy), signal))) return { kind: "aborted" };
    }
  }
}
