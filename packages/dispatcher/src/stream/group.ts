import type { Redis } from "ioredis";
import { STREAM_FIELD } from "@llm-proxy/events";
import { parseAutoclaimReply, parseReadReply, type StreamEntry } from "./replies.js";

export type GroupRef = { key: string; group: string; consumer: string };

/** An entry parked in the dead-letter stream with why, from where and (if a sink refused it) by whom. */
export type DeadLetter = { entryId: string; data: string | null; reason: string; sink?: string };

/**
 * Creates the group from the start of the stream so events published before the first run (or,
 * after Redis lost the group, before it was recreated) are kept. True when it had to be created.
 */
export async function ensureGroup(redis: Redis, ref: GroupRef): Promise<boolean> {
  try {
    await redis.call("XGROUP", "CREATE", ref.key, ref.group, "0", "MKSTREAM");
    return true;
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
    return false;
  }
}

/** `>` reads new entries (blocking); `0` re-reads this consumer's own pending entries (no block). */
export async function readGroup(redis: Redis, ref: GroupRef, from: ">" | "0", count: number, blockMs: number): Promise<StreamEntry[]> {
  const block = from === ">" ? ["BLOCK", String(blockMs)] : [];
  const reply = await redis.call("XREADGROUP", "GROUP", ref.group, ref.consumer, "COUNT", String(count), ...block, "STREAMS", ref.key, from);
  return parseReadReply(reply);
}

/** Takes over entries another consumer has held longer than `minIdleMs` (it crashed or hangs). */
export async function autoclaim(redis: Redis, ref: GroupRef, minIdleMs: number, cursor: string, count: number) {
  return parseAutoclaimReply(await redis.call("XAUTOCLAIM", ref.key, ref.group, ref.consumer, String(minIdleMs), cursor, "COUNT", String(count)));
}

/**
 * Resets the idle time of entries this consumer is still working on (a long retry), so another
 * dispatcher's XAUTOCLAIM does not take them over and deliver them a second time meanwhile.
 */
export async function touch(redis: Redis, ref: GroupRef, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await redis.call("XCLAIM", ref.key, ref.group, ref.consumer, "0", ...ids, "JUSTID");
}

/** The dead-letter stream and its cap (entries; the oldest are trimmed first). */
export type DeadLetterStream = { key: string; maxLen: number };

/**
 * Parks the dead letters and acknowledges the whole batch in one MULTI, so a crash cannot ack an
 * entry without parking it, or park it without acking it. The dead-letter stream is trimmed to its
 * cap in the same MULTI; resolves with how many old dead letters that trim dropped.
 */
export async function settle(redis: Redis, ref: GroupRef, deadLetter: DeadLetterStream, ackIds: readonly string[], dead: readonly DeadLetter[]): Promise<number> {
  if (ackIds.length === 0) return 0;
  const tx = redis.multi();
  const failedAt = new Date().toISOString();
  for (const d of dead) {
    const fields = [STREAM_FIELD, d.data ?? "", "reason", d.reason, "source_id", d.entryId, "source_stream", ref.key, "group", ref.group, "failed_at", failedAt];
    if (d.sink) fields.push("sink", d.sink);
    tx.call("XADD", deadLetter.key, "*", ...fields);
  }
  // Exact trim (not `~`): dead letters are rare, and the cap is what bounds Redis memory.
  if (dead.length > 0) tx.call("XTRIM", deadLetter.key, "MAXLEN", "=", String(deadLetter.maxLen));
  tx.call("XACK", ref.key, ref.group, ...ackIds);
  const results = await tx.exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw new Error(`settling the batch failed: ${failed?.[0]?.message ?? "transaction aborted"}`);
  return dead.length > 0 ? Number(results[dead.length]?.[1]) || 0 : 0;
}

export type StreamStats = { length: number; pending: number; lag: number | null; deadLetters: number };

/** Backlog figures for /health and /metrics: XLEN, XPENDING count, the group's `lag` (Redis 7), dead letters. */
export async function streamStats(redis: Redis, ref: Pick<GroupRef, "key" | "group"> & { deadLetterKey: string }): Promise<StreamStats> {
  const [length, pending, groups, deadLetters] = await Promise.all([
    redis.call("XLEN", ref.key),
    redis.call("XPENDING", ref.key, ref.group).catch(() => [0]),
    redis.call("XINFO", "GROUPS", ref.key).catch(() => []),
    redis.call("XLEN", ref.deadLetterKey),
  ]);
  let lag: number | null = null;
  for (const g of Array.isArray(groups) ? groups : []) {
    if (!Array.isArray(g)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) fields.set(String(g[i]), g[i + 1]);
    if (fields.get("name") === ref.group) lag = typeof fields.get("lag") === "number" ? Number(fields.get("lag")) : null;
  }
  return { length: Number(length) || 0, pending: Array.isArray(pending) ? Number(pending[0]) || 0 : 0, lag, deadLetters: Number(deadLetters) || 0 };
}
