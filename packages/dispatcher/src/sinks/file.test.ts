import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
