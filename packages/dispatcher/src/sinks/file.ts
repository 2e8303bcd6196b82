import { mkdir, open, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { SinkSettings } from "../config.js";
import type { DispatchRecord } from "../transform/record.js";
import { accepted, SinkError, type Sink, type SinkOutcome } from "./sink.js";

/**
 * Records hold prompts and answers: only the dispatcher's user may read them. Directories the sink
 * creates are 0700; an existing directory is left alone (it may be /tmp or shared on purpose).
 */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * JSONL file: one record per line, fsync per batch, rotated by size to `<path>.<timestamp>`.
 * The file is 0600 (an older, looser file is tightened on open); rotated files keep that mode.
 */
export async function createFileSink(settings: SinkSettings["file"]): Promise<Sink> {
  let handle: FileHandle;
  let size = 0;
  // Two rotations in one millisecond must not overwrite each other's file.
  let rotations = 0;

  async function openFile(): Promise<void> {
    handle = await open(settings.path, "a+", FILE_MODE);
    const stat = await handle.stat();
    if ((stat.mode & 0o777) !== FILE_MODE) await handle.chmod(FILE_MODE);
    size = stat.size;
    if (size === 0) return;
    // A process killed mid-write leaves a torn last line; start ours on a fresh one.
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) {
      await handle.write("\n");
      size += 1;
    }
  }

  async function rotate(): Promise<void> {
    await handle.close();
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    await rename(settings.path, `${settings.path}.${stamp}-${process.pid}-${rotations++}`);
    await openFile();
  }

  await mkdir(dirname(settings.path), { recursive: true, mode: DIR_MODE });
  await openFile();

  return {
    name: "file",
    async deliver(records: readonly DispatchRecord[]): Promise<SinkOutcome> {
      if (records.length === 0) return accepted();
      const text = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
      const bytes = Buffer.byteLength(text);
      try {
        if (settings.maxBytes > 0 && size > 0 && size + bytes > settings.maxBytes) await rotate();
        await handle.write(text);
        size += bytes;
        await handle.sync();
      } catch (error) {
        // The file may have changed under us (rotated by logrotate, disk full): reopen and retry.
        await handle.close().catch(() => undefined);
        await openFile().catch(() => undefined);
        throw new SinkError(`file write failed: ${(error as Error).message}`, false);
      }
      return accepted();
    },
    async close(): Promise<void> {
      await handle.close();
    },
  };
}
