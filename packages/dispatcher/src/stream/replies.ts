import { STREAM_FIELD } from "@llm-proxy/events";

/** One stream entry; `data` is null when the entry was trimmed away while pending (fields nil). */
export type StreamEntry = { id: string; data: string | null; trimmed: boolean };

function toText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return undefined;
}

function toEntry(raw: unknown): StreamEntry | undefined {
  if (!Array.isArray(raw)) return undefined;
  const id = toText(raw[0]);
  if (!id) return undefined;
  const fields: unknown = raw[1];
  if (!Array.isArray(fields)) return { id, data: null, trimmed: true };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (toText(fields[i]) === STREAM_FIELD) return { id, data: toText(fields[i + 1]) ?? null, trimmed: false };
  }
  return { id, data: null, trimmed: false };
}

export function toEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e) => toEntry(e) ?? []);
}

/**
 * XREADGROUP for one stream. Under RESP3 ioredis flattens the map reply to `[key, entries]`; the
 * RESP2 shape is `[[key, entries]]`. Both are accepted so a protocol change cannot drop events.
 */
export function parseReadReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  if (toText(reply[0]) !== undefined) return toEntries(reply[1]);
  const first: unknown = reply[0];
  return Array.isArray(first) ? toEntries(first[1]) : [];
}

/** XAUTOCLAIM: `[nextCursor, entries, deletedIds]` (the third element exists since Redis 7). */
export function parseAutoclaimReply(reply: unknown): { cursor: string; entries: StreamEntry[]; deleted: string[] } {
  if (!Array.isArray(reply)) return { cursor: "0-0", entries: [], deleted: [] };
  const deleted = Array.isArray(reply[2]) ? reply[2].flatMap((id) => toText(id) ?? []) : [];
  return { cursor: toText(reply[0]) ?? "0-0", entries: toEntries(reply[1]), deleted };
}
