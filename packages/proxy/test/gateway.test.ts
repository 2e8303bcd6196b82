import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { client, raw, seedToken } from "./gateway-helpers.js";
import { startStack, type Stack } from "./harness.js";

describe("data plane through the official OpenAI SDK", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let t: Awaited<ReturnType<typeof seedToken>>;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    s = await startStack("embedded", { OPENAI_API_URL: fake.url, USAGE_FLUSH_INTERVAL: "100ms" });
    t = await seedToken(s);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.seen.length = 0;
    fake.override = undefined;
  });

  it("forwards a chat completion with the project's key, never the withering token", async () => {
    const res = await client(s, t.secret)
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-forwarded-for": "10.1.2.3", "openai-beta": "x" } })
      .withResponse();
    expect(res.data.choices[0]?.message.content).toBe("Hello from the fake upstream");
    const seen = fake.seen[0];
    expect(seen?.url).toBe("/v1/chat/completions");
    expect(seen?.headers.authorization).toBe(`Bearer ${t.apiKey}`);
    expect(JSON.stringify(seen?.headers)).not.toContain(t.secret);
    expect(seen?.headers["x-proxy-id"]).toBe(t.projectId);
    expect(seen?.headers["x-forwarded-for"]).toBeUndefined();
    expect(seen?.headers["openai-beta"]).toBe("x");
    expect(JSON.parse(seen?.body ?? "{}")).toMatchObject({ model: "gpt-4o-mini" });
    const h = res.response.headers;
    expect(h.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.get("x-request-id")).toBe(seen?.headers["x-request-id"]);
    expect(h.get("x-proxy")).toBe("llm-proxy");
    expect(h.get("x-proxy-received-at")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Number(h.get("x-upstream-request-stop"))).toBeGreaterThan(Number(h.get("x-upstream-request-start")));
  });

  it("streams chat completions chunk by chunk and records usage from the final chunk", async () => {
    const stream = await client(s, t.secret).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from the fake stream");
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 5 });
  });

  it("serves embeddings, models and the Responses API, streamed and not", async () => {
    const c = client(s, t.secret);
    const emb = await c.embeddings.create({ model: "text-embedding-3-small", input: "x" });
    expect(emb.data[0]?.embedding.map((v) => Math.round(v * 10) / 10)).toEqual([0.1, 0.2, 0.3]);
    const models = await c.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["gpt-4o-mini"]);
    const resp = await c.responses.create({ model: "gpt-4o-mini", input: "hi" });
    expect(resp.output_text).toBe("Hi from responses");
    const events: string[] = [];
    for await (const ev of await c.responses.create({ model: "gpt-4o-mini", input: "hi", stream: true })) events.push(ev.type);
    expect(events).toEqual(["response.output_text.delta", "response.completed"]);
  });

  it("keeps the query string and counts unlimited-token usage after the flush", async () => {
    const own = await seedToken(s);
    const r = await raw(s, "/v1/models?limit=5&after=x", { token: own.secret });
    expect(r.status).toBe(200);
    expect(fake.seen[0]?.url).toBe("/v1/models?limit=5&after=x");
    await client(s, own.secret).chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    const read = async () => {
      await s.usage.flush();
      return (await (await s.manage(`/manage/tokens/${own.tokenId}`)).json()) as { request_count: number; prompt_tokens: number; completion_tokens: number };
    };
    await expect.poll(read, { timeout: 3000 }).toMatchObject({ request_count: 2, prompt_tokens: 11, completion_tokens: 7 });
    const usage = (await (await s.manage(`/manage/usage?project_id=${own.projectId}`)).json()) as { buckets: { model: string; requests: number; prompt_tokens: number }[] };
    expect(usage.buckets).toEqual([
      expect.objectContaining({ model: "", requests: 1, prompt_tokens: 0 }),
      expect.objectContaining({ model: "gpt-4o", requests: 1, prompt_tokens: 11 }),
    ]);
  });

  it("delivers the first SSE event before the upstream sends the second", async () => {
    const started = performance.now();
    const res = await fetch(`${s.apiUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json", "x-fake-chunk-delay-ms": "400" },
      body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [] }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    const firstAt = performance.now() - started;
    expect(new TextDecoder().decode(first.value)).toContain('"content":"Hello"');
    expect(firstAt).toBeLessThan(350);
    await reader.cancel();
  });

  it("aborts the upstream request when the client goes away mid-stream", async () => {
    const ac = new AbortController();
    const res = await fetch(`${s.apiUrl}/v1/chat/completions`, {
      method: "POST",
      signal: ac.signal,
      headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json", "x-fake-chunk-delay-ms": "200" },
      body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [] }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    ac.abort();
    await expect.poll(() => fake.seen[0]?.aborted, { timeout: 3000 }).toBe(true);
  });

  it("answers 502 for a connection reset and opens the circuit after 5 upstream 5xx", async () => {
    fake.override = (_req, res) => {
      res.socket?.destroy();
      return true;
    };
    const reset = await raw(s, "/v1/models", { token: t.secret });
    expect(reset).toMatchObject({ status: 502, body: { error: "Proxy error", code: "upstream_error" } });
    fake.override = (_req, res) => {
      res.writeHead(503, { "content-type": "application/json" }).end('{"error":{"message":"overloaded"}}');
      return true;
    };
    for (let i = 0; i < 4; i++) expect((await raw(s, "/v1/models", { token: t.secret })).status).toBe(503);
    const seenBefore = fake.seen.length;
    const open = await raw(s, "/v1/models", { token: t.secret });
    expect(open).toMatchObject({ status: 503, body: { error: "Upstream unavailable (circuit breaker open)" } });
    expect(fake.seen.length).toBe(seenBefore);
  });
});
