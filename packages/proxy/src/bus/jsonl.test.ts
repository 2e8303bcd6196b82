import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeEvent } from "@llm-proxy/events";
import { sampleEvent } from "@llm-proxy/events/testing";
import { afterEach, describe, expect, it } from "vitest";
import { jsonlWriter } from "./jsonl.js";

describe("JSONL event file", () => {
  let dir = "";
  afterEach(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("has every event of a batch in the file, one JSON line each, once consume resolves", async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "jsonl-"));
    const file = path.join(dir, "nested", "events.jsonl");
    const syncErrors: unknown[] = [];
    const writer = await jsonlWriter(file, (err) => syncErrors.push(err));
    const first = [sampleEvent(), sampleEvent({ path: 'a "quoted"\npath' })];
    await writer.consume(first);
    // Read through another descriptor at once: written, not waiting for the next sync.
    const lines = (await fs.readFile(file, "utf8")).split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((l) => decodeEvent(l))).toEqual(first.map((event) => ({ ok: true, event })));
    // A batch within the sync interval is written at once too.
    await writer.consume([sampleEvent()]);
    expect((await fs.readFile(file, "utf8")).split("\n")).toHaveLength(4);
    await writer.close();
    expect(syncErrors).toEqual([]);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });
});
