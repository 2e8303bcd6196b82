import fs from "node:fs/promises";
import path from "node:path";
import { jsonLines } from "@llm-proxy/events";
import type { EventConsumer } from "./memory.js";

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
