import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { openUpload, raw, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";
import { inFlight, sleep } from "./probe.js";

/**
 * Clients that go away or crawl: the process stays up, the upstream request is aborted, nothing
 * stays in flight, and other clients are served meanwhile.
 */
describe("client faults", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let t: Awaited<ReturnType<typeof seedToken>>;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    s = await startStack("embedded", { OPENAI_API_URL: fake.url });
    t = await seedToken(s);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.override = undefined;
    fake.seen.length = 0;
  });

  const open = (contentType: string, length: number) => openUpload(s, t.secret, contentType, length);

  async function served(): Promise<void> {
    const r = await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
    expect(r.status).toBe(200);
  }

  it("forgets a request whose client left half-way through the body, JSON (read first) or streamed through", async () => {
    for (const type of ["application/json", "application/octet-stream"]) {
      const before = fake.seen.length;
      const { req } = open(type, 10_000);
      req.write('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"');
      await expect.poll(() => inFlight(s), { timeout: 3000 }).toBe(1);
      req.destroy();
      await expect.poll(() => inFlight(s), { timeout: 5000 }).toBe(0);
      if (type === "application/json") {
        // Read before anything is sent: the upstream never hears of it.
        expect(fake.seen.length).toBe(before);
      } else {
        // Streamed through: the upstream had the start of it and must see the abort.
        await expect.poll(() => fake.seen.length, { timeout: 5000 }).toBe(before + 1);
        expect(fake.seen.at(-1)).toMatchObject({ aborted: true, body: expect.stringContaining('"model":"gpt-4o-mini"') });
      }
    }
    await served();
  });

  it("aborts upstream and leaves nothing in flight when 20 clients leave while waiting for headers or mid-stream", async () => {
    fake.override = async (req, res) => {
      if (req.headers["x-wait"] !== "headers") return false;
      await sleep(60_000);
      res.end();
      return true;
    };
    const go = (wait: string) => {
      const ac = new AbortController();
      const res = fetch(`${s.apiUrl}/v1/chat/completions`, {
        method: "POST",
        signal: ac.signal,
        headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json", "x-wait": wait, "x-fake-chunk-delay-ms": "300" },
        body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [] }),
      });
      return { ac, res };
    };
    const waiting = Array.from({ length: 10 }, () => go("headers"));
    const streaming = Array.from({ length: 10 }, () => go("stream"));
    for (const st of streaming) await (await st.res).body?.getReader().read();
    await expect.poll(() => fake.seen.length, { timeout: 5000 }).toBe(20);
    for (const c of [...waiting, ...streaming]) c.ac.abort();
    await Promise.allSettled(waiting.map((w) => w.res));
    await expect.poll(() => fake.seen.filter((x) => x.aborted).length, { timeout: 5000 }).toBe(20);
    await expect.poll(() => inFlight(s), { timeout: 5000 }).toBe(0);
    await served();
  });

  it("serves a body trickled a few bytes at a time, while other clients are served meanwhile", async () => {
    const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "slowly" }] });
    const { req, response } = open("application/json", Buffer.byteLength(body));
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; i < body.length; i += 2) {
        req.write(body.slice(i, i + 2));
        await sleep(100);
      }
      req.end();
      trickling = false;
    })();
    // A few seconds of trickle: the others are answered before it ends, not after.
    for (let i = 0; i < 3; i++) await served();
    expect(trickling).toBe(true);
    await trickle;
    expect((await response).status).toBe(200);
    expect(fake.seen.find((x) => x.body === body)).toBeDefined();
    await expect.poll(() => inFlight(s), { timeout: 5000 }).toBe(0);
  });

  it("holds a fast upstream back while its client stops reading (backpressure, not buffering), then delivers it all", async () => {
    const MB = 1024 * 1024;
    const total = 256 * MB;
    const chunk = Buffer.alloc(MB, 120);
    let written = 0;
    fake.override = async (_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(total) });
      while (written < total && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
      }
      res.end();
      return true;
    };
    const url = new URL(s.apiUrl);
    const req = http.request({ host: url.hostname, port: url.port, method: "POST", path: "/v1/chat/completions", headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json" } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on("response", resolve).on("error", reject);
      req.end(JSON.stringify({ model: "gpt-4o-mini", messages: [] }));
    });
    res.pause();
    // The client reads nothing: the upstream soon stops being able to write.
    let last = -1;
    await expect.poll(() => {
      const stalled = written === last;
      last = written;
      return stalled;
    }, { timeout: 10_000, interval: 300 }).toBe(true);
    // Socket buffers on three hops at most; far from the whole answer.
    expect(written).toBeLessThan(64 * MB);
    let received = 0;
    res.on("data", (c: Buffer) => (received += c.length));
    res.resume();
    await new Promise((r) => res.once("end", r));
    expect(received).toBe(total);
    await expect.poll(() => inFlight(s), { timeout: 5000 }).toBe(0);
  });
});
