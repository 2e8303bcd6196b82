import type { Redis } from "ioredis";
import { STREAM_FIELD } from "@llm-proxy/events";
import { toEntries } from "./stream/replies.js";

export type ReplayResult = { replayed: number; kept: number };

/**
 * Moves dead letters back onto the event stream (after the cause is fixed), oldest first. Each
 * entry is re-added and deleted in one MULTI, so a crash cannot lose or double it. Entries with no
 * payload (a missing `data` field) stay where they are.
 */
export async function replayDeadLetters(redis: Redis, deadLetterKey: string, streamKey: string, limit = Number.POSITIVE_INFINITY): Promise<ReplayResult> {
  let replayed = 0;
  let kept = 0;
  let start = "-";
  while (replayed + kept < limit) {
    const count = Math.min(100, limit - replayed - kept);
    const entries = toEntries(await redis.call("XRANGE", deadLetterKey, start, "+", "COUNT", String(count)));
    if (entries.length === 0) break;
    for (const entry of entries) {
      if (!entry.data) {
        kept += 1;
        continue;
      }
      const results = await redis.multi().call("XADD", streamKey, "*", STREAM_FIELD, entry.data).call("XDEL", deadLetterKey, entry.id).exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw new Error(`replaying ${entry.id} failed: ${failed?.[0]?.message ?? "transaction aborted"}`);
      replayed += 1;
    }
    start = `(${entries[entries.length - 1]?.id ?? "0-0"}`;
  }
  return { replayed, kept };
}
