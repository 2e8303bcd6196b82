import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeEvent, type ProxyEvent } from "@llm-proxy/events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { openUpload, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";
import { inFlight, readAll } from "./probe.js";

/**
 * Honest attribution: who broke a request decides what its event and metrics say. An upstream
 * that resets mid-answer is an upstream error (502 `upstream_error`), never a client that left
 * (499); a client that aborts its own upload is a 499, never a 502 blamed on the upstream.
 */
describe("fault attribution in events and metrics", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let t: Awaited<ReturnType<typeof seedToken>>;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-attribution-"));
    s = await startStack("embedded", { OPENAI_API_URL: fake.url, CIRCUIT_BREAKER_THRESHOLD: "0", FILE_EVENT_LOG: path.join(dir, "events.jsonl") });
    t = await seedToken(s);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.override = undefined;
  });

  async function events(): Promise<ProxyEvent[]> {
    const text = await fs.readFile(path.join(dir, "events.jsonl"), "utf8").catch(() => "");
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => decodeEvent(line))
      .flatMap((d) => (d.ok ? [d.event] : []));
  }

  /** The data-plane counters of /metrics/prometheus that attribution changes. */
  async function counters(): Promise<{ upstreamErrors: number; canceled: number; c4xx: number; c5xx: number }> {
    const text = await (await fetch(`${s.apiUrl}/metrics/prometheus`)).text();
    const sum = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    return {
      upstreamErrors: sum(/^llm_proxy_proxy_errors_total\{code="upstream_error"\} (\d+)/gm),
      canceled: sum(/^llm_proxy_proxy_errors_total\{code="canceled"\} (\d+)/gm),
      c4xx: sum(/^llm_proxy_data_plane_requests_total\{[^}]*status_class="4xx"[^}]*\} (\d+)/gm),
      c5xx: sum(/^llm_proxy_data_plane_requests_total\{[^}]*status_class="5xx"[^}]*\} (\d+)/gm),
    };
  }

  /** No request in progress (an event is written after its metrics, so events mark the rest). */
  async function quiet(): Promise<void> {
    await expect.poll(() => inFlight(s), { timeout: 5000 }).toBe(0);
  }

  const chat = (stream: boolean) =>
    fetch(`${s.apiUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", stream, messages: [{ role: "user", content: "hi" }] }),
    });

  // A reset sent at once would also discard the headers: the proxy would see a reset before headers.
  for (const when of [5, 50]) {
    for (const stream of [true, false]) {
      it(`records an upstream reset ${when} ms into the answer, mid-${stream ? "stream (SSE)" : "body (JSON)"} as 502 upstream_error, in the event and in metrics`, async () => {
        fake.override = (_req, res) => {
          if (stream) res.writeHead(200, { "content-type": "text/event-stream" }).write('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n');
          else res.writeHead(200, { "content-type": "application/json", "content-length": "200" }).write('{"id":"chatcmpl-x","choices":[');
          setTimeout(() => res.socket?.resetAndDestroy(), when);
          return true;
        };
        await quiet();
        const before = await counters();
        const res = await chat(stream);
        const id = res.headers.get("x-request-id");
        const { cut } = await readAll(res);
        expect(cut).toBe(true);
        await quiet();
        await expect.poll(async () => (await events()).find((e) => e.request_id === id), { timeout: 5000 }).toMatchObject({ status: 502, error_code: "upstream_error" });
        const after = await counters();
        expect({ upstreamErrors: after.upstreamErrors - before.upstreamErrors, c5xx: after.c5xx - before.c5xx, c4xx: after.c4xx - before.c4xx }).toEqual({ upstreamErrors: 1, c5xx: 1, c4xx: 0 });
      });
    }
  }

  /** A request whose client sends half of the declared body and then goes away. */
  async function abortUpload(contentType: string): Promise<void> {
    const arrived = fake.arrived;
    const { req } = openUpload(s, t.secret, contentType, 10_000);
    req.write('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"');
    await expect.poll(() => inFlight(s), { timeout: 3000 }).toBe(1);
    // Streamed through: the start of it reaches the upstream before the client goes.
    if (contentType !== "application/json") await expect.poll(() => fake.arrived, { timeout: 5000 }).toBe(arrived + 1);
    req.destroy();
  }

  for (const [type, how] of [
    ["application/octet-stream", "streamed through to the upstream"],
    ["application/json", "read before forwarding"],
  ] as const) {
    it(`records a client that aborts its upload (${how}) as 499, not as a 502 upstream_error`, async () => {
      fake.seen.length = 0;
      // The upstream waits for the whole body, which never comes.
      fake.override = () => true;
      await quiet();
      const before = await counters();
      const seen = (await events()).length;
      await abortUpload(type);
      await quiet();
      await expect.poll(async () => (await events()).length, { timeout: 5000 }).toBe(seen + 1);
      const event = (await events()).at(-1);
      expect(event).toMatchObject({ status: 499 });
      expect(event?.error_code).not.toBe("upstream_error");
      // Streamed through, the upstream saw the start of the body and then the proxy going away; read
      // first, the upstream was never asked.
      if (type === "application/json") expect(fake.seen).toEqual([]);
      else await expect.poll(() => fake.seen.map((r) => r.aborted), { timeout: 5000 }).toEqual([true]);
      const after = await counters();
      expect({ upstreamErrors: after.upstreamErrors - before.upstreamErrors, c5xx: after.c5xx - before.c5xx, c4xx: after.c4xx - before.c4xx }).toEqual({ upstreamErrors: 0, c5xx: 0, c4xx: 1 });
    });
  }
});
