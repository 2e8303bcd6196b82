import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { decodeEvent } from "@llm-proxy/events";
import type { DispatcherConfig } from "./config.js";
import { backoffMs, deliverWithRetry, sleep, type RetryPolicy } from "./delivery.js";
import { reasonLabel, type Metrics } from "./metrics.js";
import type { Sink } from "./sinks/sink.js";
import { autoclaim, ensureGroup, readGroup, settle, touch, type DeadLetter, type GroupRef } from "./stream/group.js";
import type { StreamEntry } from "./stream/replies.js";
import { toRecord, type DispatchRecord } from "./transform/record.js";

export type ConsumerDeps = {
  /** Dedicated connection: XREADGROUP BLOCK holds it for up to the block time. */
  reader: Redis;
  redis: Redis;
  sinks: readonly Sink[];
  metrics: Metrics;
  logger: Logger;
  config: Pick<DispatcherConfig, "stream" | "deadLetterKey" | "deadLetterMaxLen" | "sinkBatchSize"> & { retry: RetryPolicy };
};

/** `lastError`/`failingSince` are set while the loop fails (Redis down, group unusable), for /health. */
export type ConsumerStatus = { running: boolean; lastProgressAt: number; lastError: string | null; failingSince: number | null };

type Parsed = { entry: StreamEntry; record: DispatchRecord };
type ReadOutcome = { entries: StreamEntry[] } | { error: unknown };

/** Pause after a failed loop turn: 500 ms doubling to 10 s, so an outage is neither hammered nor long waited out. */
const LOOP_BACKOFF = { baseMs: 500, maxMs: 10_000 };

/** The group (or the whole stream) is gone: Redis restarted without persistence, or someone deleted it. */
const isNoGroup = (error: unknown): boolean => String((error as Error)?.message).includes("NOGROUP");

/**
 * The at-least-once loop: own pending entries first (a restart after a crash), then new entries,
 * with idle entries of other consumers claimed periodically. A batch is acknowledged only after
 * every sink accepted it or its failures were parked in the dead-letter stream.
 */
export function createConsumer(deps: ConsumerDeps) {
  const { stream } = deps.config;
  const ref: GroupRef = { key: stream.key, group: stream.group, consumer: stream.consumer };
  // Claim often enough that a dead consumer's work waits about claimIdleMs, not twice that.
  const claimEveryMs = Math.min(Math.max(stream.claimIdleMs / 2, 100), 10_000);
  const status: ConsumerStatus = { running: false, lastProgressAt: Date.now(), lastError: null, failingSince: null };
  // Entries this consumer has read and not yet settled (the current batch and a prefetched one).
  // Their idle time is reset while a slow sink or a retry holds them, so another dispatcher's
  // XAUTOCLAIM does not take them over and deliver them a second time meanwhile.
  const held = new Set<string>();
  const heartbeat = () => {
    touch(deps.redis, ref, [...held]).catch((error: unknown) => deps.logger.warn({ err: error }, "could not refresh held entries"));
  };

  async function parse(entries: readonly StreamEntry[], dead: DeadLetter[]): Promise<Parsed[]> {
    const parsed: Parsed[] = [];
    for (const entry of entries) {
      if (entry.trimmed) {
        // MAXLEN trimmed it while it was pending: nothing left to deliver, only to count.
        deps.metrics.trimmed.inc();
        continue;
      }
      if (entry.data === null) {
        dead.push({ entryId: entry.id, data: null, reason: `missing_field: no "data" field` });
        continue;
      }
      const decoded = decodeEvent(entry.data, entry.id);
      if (!decoded.ok) {
        dead.push({ entryId: entry.id, data: entry.data, reason: decoded.reason });
        continue;
      }
      try {
        parsed.push({ entry, record: await toRecord(decoded.event) });
      } catch (error) {
        dead.push({ entryId: entry.id, data: entry.data, reason: `transform_failed: ${(error as Error).message}` });
      }
    }
    return parsed;
  }

  /** Delivers to every sink in chunks; false means shutdown interrupted and nothing is acked. */
  async function deliverAll(parsed: readonly Parsed[], dead: DeadLetter[], signal: AbortSignal): Promise<boolean> {
    const byEventId = new Map<string, StreamEntry[]>();
    for (const p of parsed) byEventId.set(p.record.id, [...(byEventId.get(p.record.id) ?? []), p.entry]);
    const records = parsed.map((p) => p.record);
    for (const sink of deps.sinks) {
      for (let i = 0; i < records.length; i += deps.config.sinkBatchSize) {
        const chunk = records.slice(i, i + deps.config.sinkBatchSize);
        const stopTimer = deps.metrics.sinkLatency.startTimer({ sink: sink.name });
        const result = await deliverWithRetry(sink, chunk, deps.config.retry, signal);
        stopTimer();
        if (result.kind === "aborted") return false;
        deps.metrics.retried.inc({ sink: sink.name }, result.retries);
        deps.metrics.skipped.inc({ sink: sink.name }, result.skipped);
        deps.metrics.delivered.inc({ sink: sink.name }, chunk.length - result.skipped - result.rejected.length);
        for (const r of result.rejected) {
          for (const entry of byEventId.get(r.id) ?? []) dead.push({ entryId: entry.id, data: entry.data, reason: r.reason, sink: sink.name });
        }
      }
    }
    return true;
  }

  async function processBatch(entries: readonly StreamEntry[], signal: AbortSignal): Promise<void> {
    if (entries.length === 0) return;
    deps.metrics.consumed.inc(entries.length);
    const dead: DeadLetter[] = [];
    const parsed = await parse(entries, dead);
    const ids = entries.map((e) => e.id);
    for (const id of ids) held.add(id);
    if (parsed.length > 0 && !(await deliverAll(parsed, dead, signal))) return;
    // An event refused by two sinks is parked once per sink: each entry says who refused it.
    const dropped = await settle(deps.redis, ref, { key: deps.config.deadLetterKey, maxLen: deps.config.deadLetterMaxLen }, ids, dead);
    deps.metrics.deadLetterTrimmed.inc(dropped);
    for (const id of ids) held.delete(id);
    deps.metrics.acked.inc(entries.length);
    for (const d of dead) deps.metrics.deadLettered.inc({ reason: reasonLabel(d.reason) });
    if (dead.length > 0) deps.logger.warn({ count: dead.length, first: dead[0]?.reason }, "events parked in the dead-letter stream");
    status.lastProgressAt = Date.now();
  }

  /** Creates the group when it is missing; a group lost while running is logged and counted. */
  async function restoreGroup(firstTime: boolean): Promise<void> {
    if (!(await ensureGroup(deps.redis, ref)) || firstTime) return;
    deps.metrics.groupRecreated.inc();
    deps.logger.warn({ stream: stream.key, group: stream.group }, "consumer group was missing (Redis restarted without persistence?): recreated from the start of the stream");
  }

  async function run(signal: AbortSignal): Promise<void> {
    status.running = true;
    // The group is made inside the loop, so a Redis that is down at start is waited out too.
    let needGroup = true;
    let groupMade = false;
    let failures = 0;
    let ownPending = true;
    let claimCursor = "0-0";
    let nextClaimAt = Date.now() + claimEveryMs;
    // While busy, the next XREADGROUP is already in flight as this batch is delivered. Its entries
    // are pending to this consumer from the moment Redis answers, so dropping it loses nothing.
    let prefetch: Promise<ReadOutcome> | undefined;
    const startRead = (): Promise<ReadOutcome> => {
      const blockMs = Math.max(1, Math.min(stream.blockMs, nextClaimAt - Date.now()));
      return readGroup(deps.reader, ref, ">", stream.batchSize, blockMs).then(
        (entries) => {
          for (const e of entries) held.add(e.id);
          return { entries };
        },
        (error: unknown) => ({ error }),
      );
    };
    const beat = setInterval(heartbeat, Math.max(stream.claimIdleMs / 3, 50));
    try {
      while (!signal.aborted) {
        try {
          if (needGroup) {
            await restoreGroup(!groupMade);
            needGroup = false;
            groupMade = true;
          }
          if (ownPending) {
            const entries = await readGroup(deps.redis, ref, "0", stream.batchSize, 0);
            if (entries.length === 0) ownPending = false;
            else deps.logger.info({ count: entries.length }, "redelivering own pending entries");
            await processBatch(entries, signal);
          } else if (Date.now() >= nextClaimAt) {
            const claimed = await autoclaim(deps.redis, ref, stream.claimIdleMs, claimCursor, stream.batchSize);
            claimCursor = claimed.cursor;
            if (claimCursor === "0-0") nextClaimAt = Date.now() + claimEveryMs;
            if (claimed.entries.length > 0) {
              deps.metrics.claimed.inc(claimed.entries.length);
              deps.logger.info({ count: claimed.entries.length }, "claimed idle entries from another consumer");
            }
            await processBatch(claimed.entries, signal);
          } else {
            const read = await (prefetch ?? startRead());
            prefetch = undefined;
            if ("error" in read) throw read.error;
            if (read.entries.length > 0 && Date.now() < nextClaimAt) prefetch = startRead();
            await processBatch(read.entries, signal);
          }
          status.lastError = null;
          status.failingSince = null;
          failures = 0;
        } catch (error) {
          // Shutdown disconnects the blocked reader; that rejection is the way out, not a fault.
          if (signal.aborted) break;
          if (isNoGroup(error)) needGroup = true;
          failures += 1;
          status.lastError = (error as Error).message;
          status.failingSince ??= Date.now();
          deps.metrics.loopErrors.inc();
          const pauseMs = backoffMs(failures, LOOP_BACKOFF);
          deps.logger.error({ err: error, pauseMs }, "read loop error; retrying after a pause");
          // Whatever this consumer held when it failed is retried first from its own pending
          // list. A read still in flight is awaited first, so its entries are in that list rather
          // than delivered twice (or, held and refreshed, never delivered at all).
          ownPending = true;
          if (prefetch) await prefetch;
          prefetch = undefined;
          held.clear();
          await sleep(pauseMs, signal);
        }
      }
    } finally {
      clearInterval(beat);
      status.running = false;
    }
  }

  return { run, status: (): ConsumerStatus => ({ ...status }) };
}

export type Consumer = ReturnType<typeof createConsumer>;
