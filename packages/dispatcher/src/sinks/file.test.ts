import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DispatchRecord } from "../transform/record.js";
import { createFileSink } from "./file.js";

const record = (id: string) => ({ id, pad: "x".repeat(100) }) as unknown as DispatchRecord;

describe("file sink", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "file-sink-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("appends one JSON line per record", async () => {
    const path = join(dir, "e.jsonl");
    const sink = await createFileSink({ path, maxBytes: 0 });
    await sink.deliver([record("a"), record("b")]);
    await sink.deliver([record("c")]);
    await sink.close();
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(["a", "b", "c"]);
  });

  it("starts on a fresh line after a torn write from a killed process", async () => {
    const path = join(dir, "e.jsonl");
    await writeFile(path, '{"id":"a"}\n{"id":"tor');
    const sink = await createFileSink({ path, maxBytes: 0 });
    await sink.deliver([record("b")]);
    await sink.close();
    expect((await readFile(path, "utf8")).split("\n")[2]).toContain('"id":"b"');
  });

  it("keeps prompts and answers private: new directories 0700, the file and rotated files 0600", async () => {
    const path = join(dir, "events", "deep", "e.jsonl");
    const sink = await createFileSink({ path, maxBytes: 300 });
    for (const id of ["a", "b", "c", "d"]) await sink.deliver([record(id)]);
    await sink.close();
    const mode = async (p: string) => (await stat(p)).mode & 0o777;
    expect(await mode(join(dir, "events"))).toBe(0o700);
    expect(await mode(join(dir, "events", "deep"))).toBe(0o700);
    const files = await readdir(join(dir, "events", "deep"));
    expect(files.length).toBeGreaterThan(1); // rotated at least once
    for (const f of files) expect([f, await mode(join(dir, "events", "deep", f))]).toEqual([f, 0o600]);
  });

  it("tightens a file an older version left readable, and leaves an existing directory alone", async () => {
    await chmod(dir, 0o755);
    const path = join(dir, "e.jsonl");
    await writeFile(path, '{"id":"old"}\n', { mode: 0o644 });
    await chmod(path, 0o644);
    const sink = await createFileSink({ path, maxBytes: 0 });
    await sink.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
  });

  it("rotates by size without splitting a batch", async () => {
    const path = join(dir, "e.jsonl");
    const sink = await createFileSink({ path, maxBytes: 300 });
    for (const id of ["a", "b", "c", "d", "e"]) await sink.deliver([record(id)]);
    await sink.close();
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(1);
    const all = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8")));
    const ids = all.flatMap((t) => t.trimEnd().split("\n").map((l) => (JSON.parse(l) as { id: string }).id));
    expect(ids.sort()).toEqual(["a", "b", "c", "d", "e"]);
  });
});
