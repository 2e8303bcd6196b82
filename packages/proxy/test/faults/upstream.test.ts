import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeEvent, type ProxyEvent } from "@llm-proxy/events";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";
import { inFlight, readAll } from "./probe.js";
import { startRelay, type Relay } from "./relay.js";

/**
 * A misbehaving upstream: hanging, resetting, answering garbage. The user sees a clear error
 * (a JSON 5xx while no response has started, a cut connection once one has, never a clean end
 * of a broken answer), the upstream request is not left open, and the next request works.
 */
describe("upstream faults", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let t: Awaited<ReturnType<typeof seedToken>>;
  let dir: string;
  let net: Relay;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    // The network between proxy and upstream, for the cases where the upstream never sees a thing.
    net = await startRelay(Number(new URL(fake.url).port));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-faults-"));
    // The breaker is off so each case meets the upstream itself (the breaker has its own tests).
    s = await startStack("embedded", {
      OPENAI_API_URL: `http://127.0.0.1:${net.port}`,
      REQUEST_TIMEOUT: "1s",
      STREAM_IDLE_TIMEOUT: "1s",
      CIRCUIT_BREAKER_THRESHOLD: "0",
      FILE_EVENT_LOG: path.join(dir, "events.jsonl"),
    });
    t = await seedToken(s);
  });
  afterAll(async () => {
    await net?.accept();
    net?.resume();
    await s?.close();
    await net?.close();
    await fake?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** The request event the proxy wrote for a response, by its x-request-id. */
  async function eventFor(res: Response): Promise<ProxyEvent | undefined> {
    const id = res.headers.get("x-request-id");
    const text = await fs.readFile(path.join(dir, "events.jsonl"), "utf8").catch(() => "");
    for (const line of text.split("\n")) {
      if (!line) continue;
      const d = decodeEvent(line);
      if (d.ok && d.event.request_id === id) return d.event;
    }
    return undefined;
  }
  beforeEach(() => {
    fake.override = undefined;
  });

  const chat = (stream = false) =>
    fetch(`${s.apiUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", stream, messages: [{ role: "user", content: "hi" }] }),
    });

  /** What every case ends with: nothing left in flight, healthy, and the next request served. */
  async function recovers(): Promise<void> {
    fake.override = undefined;
    await expect.poll(() => inFlight(s), { timeout: 5000 }).toBe(0);
    expect((await fetch(`${s.apiUrl}/health`)).status).toBe(200);
    const next = await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
    expect(next).toMatchObject({ status: 200, body: { object: "chat.completion" } });
  }

  it("answers 504 with the error JSON when the upstream never sends headers (REQUEST_TIMEOUT), and aborts it", async () => {
    fake.override = () => true; // never answers
    const started = performance.now();
    const r = await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
    expect(r).toMatchObject({ status: 504, body: { error: "Request timeout", code: "timeout" } });
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(performance.now() - started).toBeLessThan(10_000);
    await expect.poll(() => fake.seen.at(-1)?.aborted, { timeout: 3000 }).toBe(true);
    await recovers();
  });

  it("cuts the client connection when a started answer stalls past STREAM_IDLE_TIMEOUT, JSON and SSE alike", async () => {
    fake.override = (_req, res, body) => {
      const stream = (JSON.parse(body) as { stream: boolean }).stream;
      if (stream) res.writeHead(200, { "content-type": "text/event-stream" }).write('data: {"choices":[]}\n\n');
      else res.writeHead(200, { "content-type": "application/json", "content-length": "100" }).write('{"id":"x",');
      return true; // and then nothing more
    };
    for (const stream of [false, true]) {
      const started = performance.now();
      const res = await chat(stream);
      expect(res.status).toBe(200);
      const { text, cut } = await readAll(res);
      expect(cut).toBe(true);
      expect(text).toBe(stream ? 'data: {"choices":[]}\n\n' : '{"id":"x",');
      expect(performance.now() - started).toBeLessThan(10_000);
      await expect.poll(() => fake.seen.at(-1)?.aborted, { timeout: 3000 }).toBe(true);
      // Recorded as the upstream's timeout, not as a client that left (499).
      await expect.poll(() => eventFor(res), { timeout: 5000 }).toMatchObject({ status: 504, error_code: "timeout" });
    }
    await recovers();
  });

  it("answers 502 with the error JSON for a reset before headers and for an invalid HTTP answer", async () => {
    const garbage = ["reset", "HTTP/1.1 two hundred OK\r\n\r\n", "not http at all\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n{}"];
    for (const g of garbage) {
      fake.override = (_req, res) => {
        const sock = res.socket;
        if (g === "reset") sock?.resetAndDestroy();
        else sock?.end(g);
        return true;
      };
      const r = await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
      expect({ g, status: r.status, body: r.body }).toMatchObject({ g, status: 502, body: { error: "Proxy error", code: "upstream_error" } });
    }
    await recovers();
  });

  it("never presents a body the upstream broke off mid-way as complete: the client connection is cut", async () => {
    for (const stream of [false, true]) {
      fake.override = (_req, res) => {
        if (stream) res.writeHead(200, { "content-type": "text/event-stream" }).write('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n');
        else res.writeHead(200, { "content-type": "application/json", "content-length": "200" }).write('{"id":"chatcmpl-x","choices":[');
        setTimeout(() => res.socket?.resetAndDestroy(), 100);
        return true;
      };
      const res = await chat(stream);
      expect(res.status).toBe(200);
      const { text, cut } = await readAll(res);
      expect({ stream, cut }).toEqual({ stream, cut: true });
      expect(text.length).toBeGreaterThan(0);
      // Recorded as the upstream's failure, not as a client that left (499).
      await expect.poll(() => eventFor(res), { timeout: 5000 }).toMatchObject({ status: 502, error_code: "upstream_error" });
    }
    await recovers();
  });

  it("passes an upstream's invalid JSON and a truncated SSE stream through as sent, without failing the process", async () => {
    // The proxy does not buffer answers to judge them: the client gets the upstream's bytes.
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"id": "chatcmpl-x", "usage": {"prompt_tokens": ');
      return true;
    };
    const json = await chat();
    expect(json.status).toBe(200);
    expect(await readAll(json)).toEqual({ text: '{"id": "chatcmpl-x", "usage": {"prompt_tokens": ', cut: false });

    // A clean end in the middle of an event, no [DONE]: what was sent arrives, then the end.
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" }).end('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[{"del');
      return true;
    };
    const sse = await chat(true);
    expect(await readAll(sse)).toEqual({ text: 'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[{"del', cut: false });
    await recovers();
  });

  it("answers 502 while the upstream refuses connections and 504 while the network swallows everything, then recovers", async () => {
    await net.refuse();
    try {
      const refused = await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
      expect(refused).toMatchObject({ status: 502, body: { code: "upstream_error" } });
    } finally {
      await net.accept();
    }
    net.pause();
    try {
      const seen = fake.seen.length;
      const swallowed = await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
      expect(swallowed).toMatchObject({ status: 504, body: { code: "timeout" } });
      expect(fake.seen.length).toBe(seen);
    } finally {
      net.resume();
    }
    await recovers();
  });
});
