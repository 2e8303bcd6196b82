import fs from "node:fs/promises";
import path from "node:path";
import { encodeEvent, type ProxyEvent } from "@llm-proxy/events";
import type { EventConsumer } from "./memory.js";

/** Bytes given to a batch per event at first: an event with two small bodies is about 1.2 KB. */
const BYTES_PER_EVENT = 1536;

/**
 * A batch as JSON lines in UTF-8, each event's text written into one Buffer on its own. Joining
 * the texts first and converting the result with `Buffer.from` cost more than the encoding
 * itself: V8 walks a string built of thousands of pieces slowly.
 */
export function jsonLines(events: readonly ProxyEvent[]): Buffer {
  let data = Buffer.allocUnsafe(Math.max(4096, events.length * BYTES_PER_EVENT));
  let at = 0;
  for (const event of events) {
    const text = encodeEvent(event);
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    const need = at + text.length * 3 + 1;
    if (need > data.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, data.length * 2));
      data.copy(grown, 0, 0, at);
      data = grown;
    }
    at += data.write(text, at);
    data[at++] = 0x0a;
  }
  return data.subarray(0, at);
}

/** Longest time a written event waits for its fsync. */
const SYNC_INTERVAL_MS = 1000;

/**
 * Appends each batch to a JSONL file (FILE_EVENT_LOG). A batch counts as written once it is in
 * the file: from then on it survives the process dying. The file is synced to disk at most once a
 * second and at close (Redis's `appendfsync everysec`): a sync after every batch cost the request
 * path ~3 µs a request under load, while only a crash of the whole machine can take what is not
 * synced yet.
 */
export async function jsonlWriter(file: string, onSyncError: (err: unknown) => void): Promise<{ consume: EventConsumer; close(): Promise<void> }> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, "a", 0o600);
  let lastSync = 0;
  let timer: NodeJS.Timeout | undefined;
  let syncing: Promise<void> | undefined;
  const sync = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    lastSync = Date.now();
    syncing = handle.datasync().finally(() => (syncing = undefined));
    return syncing;
  };
  return {
    async consume(batch) {
      await handle.appendFile(jsonLines(batch));
      if (Date.now() - lastSync >= SYNC_INTERVAL_MS) await sync();
      // A sync that fails off the batch's path is reported; the events are in the file all the same.
      else timer ??= setTimeout(() => void sync().catch(onSyncError), SYNC_INTERVAL_MS - (Date.now() - lastSync)).unref();
    },
    async close() {
      await syncing?.catch(() => {});
      await sync();
      await handle.close();
    },
  };
}
