import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redisUrl } from "../../../test/services.js";
import { startFakeUpstream } from "./fake-upstream.js";
import { client, seedToken } from "./gateway-helpers.js";
import { startStack } from "./harness.js";

const redis = redisUrl();
const ROOT = path.resolve(import.meta.dirname, "../../..");

describe.skipIf(!redis)("events from proxied requests through Redis to the dispatcher's sinks", () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it("delivers each request's event, with project, token, model, usage and timings, to the file and webhook sinks", async () => {
    const stream = `e2e-events-${Date.now()}`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-events-"));
    cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
    const fake = await startFakeUpstream();
    cleanup.push(() => fake.close());
    const received: { body: string; signature: string; timestamp: string }[] = [];
    const hook = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ body, signature: String(req.headers["x-llm-proxy-signature"]), timestamp: String(req.headers["x-llm-proxy-timestamp"]) });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise((r) => hook.close(r)));

    const s = await startStack("embedded", { OPENAI_API_URL: fake.url, REDIS_URL: redis as string, REDIS_STREAM_KEY: stream, REDIS_KEY_PREFIX: `${stream}:` });
    cleanup.push(() => s.close());
    const t = await seedToken(s);
    await client(s, t.secret).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    const streamed = await client(s, t.secret).chat.completions.create({ model: "gpt-4o", messages: [], stream: true, stream_options: { include_usage: true } });
    for await (const _ of streamed) void _;

    const file = path.join(dir, "events.jsonl");
    const dispatcher = spawn(process.execPath, ["--enable-source-maps", "packages/dispatcher/dist/main.js"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        LLM_PROXY_DOTENV: "false",
        REDIS_URL: redis as string,
        REDIS_STREAM_KEY: stream,
        REDIS_CONSUMER_GROUP: `${stream}-group`,
        DISPATCHER_SERVICE: "file,webhook",
        DISPATCHER_FILE_PATH: file,
        DISPATCHER_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`,
        DISPATCHER_WEBHOOK_SECRET: "hook-secret",
        DISPATCHER_HTTP_ADDR: "127.0.0.1:0",
        REDIS_STREAM_BLOCK_TIME: "200ms",
      },
      stdio: "ignore",
    });
    cleanup.push(() => void dispatcher.kill("SIGTERM"));

    const lines = async () => (await fs.readFile(file, "utf8").catch(() => "")).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    await expect.poll(async () => (await lines()).length, { timeout: 20_000, interval: 250 }).toBe(2);
    const records = await lines();
    const byModel = Object.fromEntries(records.map((r) => [String(r.model), r]));
    expect(byModel["gpt-4o-mini"]).toMatchObject({ project_id: t.projectId, token_id: t.tokenId, status: 200, streaming: false, usage: { prompt_tokens: 11, completion_tokens: 7 } });
    expect(byModel["gpt-4o"]).toMatchObject({ project_id: t.projectId, token_id: t.tokenId, streaming: true, usage: { prompt_tokens: 9, completion_tokens: 5 } });
    for (const r of records) {
      expect(r.duration_ms).toBeGreaterThan(0);
      expect(r.upstream_ms).toBeGreaterThan(0);
      expect(r.first_byte_ms).toBeGreaterThan(0);
    }
    const text = JSON.stringify(records);
    expect(text).not.toContain(t.secret);
    expect(text).not.toContain(t.apiKey);

    await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const events = received.flatMap((r) => {
      const expected = createHmac("sha256", "hook-secret").update(`${r.timestamp}.${r.body}`).digest("hex");
      expect(r.signature).toContain(expected);
      const parsed = JSON.parse(r.body) as { events?: unknown[] } | unknown[];
      return Array.isArray(parsed) ? parsed : (parsed.events ?? []);
    }) as Record<string, unknown>[];
    expect(events).toHaveLength(2);
    const chat = JSON.stringify(events);
    for (const needle of [t.projectId, t.tokenId, "gpt-4o-mini", "gpt-4o"]) expect(chat).toContain(needle);
  });
});
