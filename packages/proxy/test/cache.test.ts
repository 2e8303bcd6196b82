import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redisUrl } from "../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { raw, seedToken } from "./gateway-helpers.js";
import { startStack, type Stack } from "./harness.js";

const kinds: [string, Record<string, string>][] = [["memory", {}]];
const redis = redisUrl();
if (redis) kinds.push(["redis", { REDIS_URL: redis, REDIS_CACHE_KEY_PREFIX: `test-cache-${Date.now()}:`, REDIS_KEY_PREFIX: `test-${Date.now()}:` }]);

describe.each(kinds)("HTTP response cache through the proxy (%s store)", (_kind, env) => {
  let fake: FakeUpstream;
  let s: Stack;
  let a: Awaited<ReturnType<typeof seedToken>>;
  let b: Awaited<ReturnType<typeof seedToken>>;
  const optIn = { "cache-control": "public, max-age=60" };
  const upstreamCalls = (path: string) => fake.seen.filter((r) => r.url === path).length;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    s = await startStack("embedded", { OPENAI_API_URL: fake.url, HTTP_CACHE_STREAM_RESPONSES: "true", USAGE_FLUSH_INTERVAL: "100ms", ...env });
    a = await seedToken(s);
    b = await seedToken(s);
  });
  afterAll(async () => {
    await s.manage("/manage/cache/purge", { json: { all: true } });
    await s?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.seen.length = 0;
    fake.override = undefined;
  });

  it("never keeps a GET answer that nobody gave a lifetime", async () => {
    await raw(s, "/v1/models?fresh=1", { token: a.secret });
    const again = await raw(s, "/v1/models?fresh=1", { token: a.secret });
    expect(again.headers.get("cache-status")).toBe("llm-proxy; miss");
    expect(again.headers.get("x-cache-debug")).toBe("no-freshness");
    expect(upstreamCalls("/v1/models?fresh=1")).toBe(2);
  });

  it("serves the second identical GET from the cache, per project, without quota or upstream", async () => {
    const first = await raw(s, "/v1/models?limit=2", { token: a.secret, headers: optIn });
    expect(first.headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect(first.headers.get("x-proxy-cache")).toBe("stored");
    const second = await raw(s, "/v1/models?limit=2", { token: a.secret, headers: optIn });
    expect(second.headers.get("cache-status")).toBe("llm-proxy; hit");
    expect(second.headers.get("x-proxy-cache-key")).toBe(first.headers.get("x-proxy-cache-key"));
    expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    expect(second.body).toEqual(first.body);
    expect(upstreamCalls("/v1/models?limit=2")).toBe(1);
    // Project B never receives project A's answer.
    const other = await raw(s, "/v1/models?limit=2", { token: b.secret, headers: optIn });
    expect(other.headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect(upstreamCalls("/v1/models?limit=2")).toBe(2);
    // Different Accept is a different entry.
    expect((await raw(s, "/v1/models?limit=2", { token: a.secret, headers: { ...optIn, accept: "text/plain" } })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    await expect
      .poll(async () => {
        await s.usage.flush();
        return ((await (await s.manage(`/manage/tokens/${a.tokenId}`)).json()) as { request_count: number; cache_hit_count: number });
      })
      // Two upstream calls here (the stored answer and the Accept variant), two in the test before.
      .toMatchObject({ request_count: 4, cache_hit_count: 1 });
  });

  it("caches POST only on the client's opt-in, and never no-store answers", async () => {
    const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "cache me" }] };
    await raw(s, "/v1/chat/completions", { token: a.secret, json: body });
    expect((await raw(s, "/v1/chat/completions", { token: a.secret, json: body })).headers.get("cache-status")).toBe("llm-proxy; miss");
    const opt = { "cache-control": "public, max-age=60" };
    expect((await raw(s, "/v1/chat/completions", { token: a.secret, json: body, headers: opt })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    const hit = await raw(s, "/v1/chat/completions", { token: a.secret, json: body, headers: opt });
    expect(hit.headers.get("cache-status")).toBe("llm-proxy; hit");
    const differentBody = await raw(s, "/v1/chat/completions", { token: a.secret, json: { ...body, messages: [] }, headers: opt });
    expect(differentBody.headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect(upstreamCalls("/v1/chat/completions")).toBe(4);

    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end("{}");
      return true;
    };
    await raw(s, "/v1/models?nostore=1", { token: a.secret });
    const again = await raw(s, "/v1/models?nostore=1", { token: a.secret });
    expect(again.headers.get("x-cache-debug")).toBe("no-store");
    expect(upstreamCalls("/v1/models?nostore=1")).toBe(2);
  });

  it("answers If-None-Match with 304 from the cache", async () => {
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", etag: '"v1"', "cache-control": "public, max-age=60" }).end('{"object":"list","data":[]}');
      return true;
    };
    // node:http, because fetch adds `Cache-Control: no-cache` to conditional requests (a revalidation).
    const get = (headers: Record<string, string>) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const u = new URL(s.apiUrl);
        http.get({ host: u.hostname, port: u.port, path: "/v1/models?etag=1", headers: { authorization: `Bearer ${a.secret}`, ...headers } }, resolve).on("error", reject);
      });
    (await get({})).resume();
    const cond = await get({ "if-none-match": '"v1"' });
    cond.resume();
    expect(cond.statusCode).toBe(304);
    expect(cond.headers["cache-status"]).toBe("llm-proxy; conditional-hit");
  });

  it("replays an opted-in stream byte for byte", async () => {
    const body = { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "stream me" }] };
    const opt = { "cache-control": "public, max-age=60" };
    const first = await raw(s, "/v1/chat/completions", { token: a.secret, json: body, headers: opt });
    expect(first.headers.get("x-cache-debug")).toBe("streaming-response");
    const second = await raw(s, "/v1/chat/completions", { token: a.secret, json: body, headers: opt });
    expect(second.headers.get("cache-status")).toBe("llm-proxy; hit");
    expect(second.headers.get("content-type")).toBe("text/event-stream");
    expect(second.body).toBe(first.body);
    expect(upstreamCalls("/v1/chat/completions")).toBe(1);
  });

  it("takes the original's purge body: method + url (an absolute URL too), a prefix purge ignoring url", async () => {
    for (const q of ["o=1", "o=2", "o=3"]) await raw(s, `/v1/models?${q}`, { token: a.secret, headers: optIn });
    const purge = async (json: unknown) => {
      const res = await s.manage("/manage/cache/purge", { json });
      return [res.status, await res.json()] as const;
    };
    expect(await purge({ method: "POST", url: "/v1/models?o=1" })).toEqual([200, { deleted: false }]);
    expect(await purge({ method: "GET", url: "http://localhost:8080/v1/models?o=1", extra: 1 })).toEqual([200, { deleted: true }]);
    expect(await purge({ method: "POST", url: "/not/a/cached/path", prefix: "/v1/models?o=" })).toEqual([200, { deleted: 2 }]);
    expect((await raw(s, "/v1/models?o=3", { token: a.secret, headers: optIn })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect(await purge({ method: "GET", url: "v1/models" })).toEqual([400, { error: "url must be a path such as /v1/models" }]);
    expect(await purge({ method: "GET", url: 42 })).toEqual([400, { error: "url must be a string" }]);
    expect(await purge({ method: "GET", url: "/x", prefix: "v1" })).toEqual([400, { error: "prefix must be a path such as /v1/models" }]);
    expect(await purge({ method: "GET", url: "/v1/models?o=3" })).toEqual([200, { deleted: true }]);
  });

  it("purges by URL, by prefix, by project and all", async () => {
    await raw(s, "/v1/models?p=1", { token: a.secret, headers: optIn });
    await raw(s, "/v1/models?p=2", { token: a.secret, headers: optIn });
    await raw(s, "/v1/models?p=1", { token: b.secret, headers: optIn });
    const purge = async (json: unknown) => (await (await s.manage("/manage/cache/purge", { json })).json()) as { deleted: number };
    expect(await purge({ method: "GET", url: "/v1/models?p=2" })).toEqual({ deleted: true });
    expect(await purge({ method: "GET", url: "/v1/models?p=2" })).toEqual({ deleted: false });
    expect((await raw(s, "/v1/models?p=2", { token: a.secret, headers: optIn })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    // Project B holds ?p=1 and the ?limit=2 answer of the first test.
    expect(await purge({ project_id: b.projectId })).toEqual({ deleted: 2 });
    expect((await raw(s, "/v1/models?p=1", { token: b.secret, headers: optIn })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect((await purge({ prefix: "/v1/models?p=" })).deleted).toBe(3);
    expect((await raw(s, "/v1/models?p=1", { token: a.secret, headers: optIn })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect((await purge({ all: true })).deleted).toBeGreaterThanOrEqual(1);
    const bad = await s.manage("/manage/cache/purge", { json: { note: "unknown fields are ignored" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "one of url, prefix, project_id or all is required" });
  });
});
