import fs from "node:fs/promises";
import path from "node:path";
import { encodeEvent } from "@llm-proxy/events";
import type { EventConsumer } from "./memory.js";

/** Appends each batch to a JSONL file (FILE_EVENT_LOG) and syncs it before the batch counts as written. */
export async function jsonlWriter(file: string): Promise<{ consume: EventConsumer; close(): Promise<void> }> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, "a", 0o600);
  return {
    async consume(batch) {
      await handle.appendFile(batch.map((e) => encodeEvent(e) + "\n").join(""));
      await handle.datasync();
    },
    close: () => handle.close(),
  };
}
