import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeEvent, encodeEvent } from "@llm-proxy/events";
import { sampleEvent } from "@llm-proxy/events/testing";
import { afterEach, describe, expect, it } from "vitest";
import { jsonLines, jsonlWriter } from "./jsonl.js";

describe("JSONL event file", () => {
  it("encodes a batch as the events' JSON lines in UTF-8, growing past its first guess of the size", () => {
    const wide = "中文 🚀 é".repeat(2000);
    const events = [sampleEvent(), sampleEvent({ model: wide, response_headers: { "x-wide": wide } }), sampleEvent({ request_body: "" }), sampleEvent()];
    const data = jsonLines(events);
    expect(data.toString("utf8")).toBe(events.map((e) => encodeEvent(e) + "\n").join(""));
    expect(data.length).toBe(Buffer.byteLength(events.map((e) => encodeEvent(e) + "\n").join("")));
    expect(jsonLines([]).length).toBe(0);
  });

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
