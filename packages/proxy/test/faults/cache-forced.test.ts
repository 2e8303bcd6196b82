import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redisUrl } from "../../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";

const kinds: [string, Record<string, string>][] = [["memory", {}]];
const redis = redisUrl();
const run = `${Date.now()}-${process.pid}`;
if (redis) kinds.push(["redis", { REDIS_URL: redis, REDIS_CACHE_KEY_PREFIX: `test-forced-${run}:`, REDIS_KEY_PREFIX: `test-forced-${run}:` }]);

// Issue 12.11: one client's `Cache-Control: public, max-age` must not decide for the whole project.
describe.each(kinds)("an entry a client forced into the cache (%s store)", (_kind, env) => {
  let fake: FakeUpstream;
  let s: Stack;
  let first: string;
  let second: string;
  const optIn = { "cache-control": "public, max-age=600" };
  const calls = (url: string) => fake.seen.filter((r) => r.url === url).length;
  const status = async (url: string, token: string, headers: Record<string, string> = {}) =>
    (await raw(s, url, { token, headers })).headers.get("cache-status");
  /** The upstream answers GETs with this `Cache-Control`. */
  const upstreamSays = (cacheControl: string) => {
    fake.override = (req, res) => {
      if (req.method !== "GET") return false;
      res.writeHead(200, { "content-type": "application/json", "cache-control": cacheControl }).end(`{"object":"list","data":[],"n":${fake.seen.length}}`);
      return true;
    };
  };

  beforeAll(async () => {
    fake = await startFakeUpstream();
    s = await startStack("embedded", { OPENAI_API_URL: fake.url, ...env });
    const a = await seedToken(s);
    first = a.secret;
    const other = await s.manage("/manage/tokens", { json: { project_id: a.projectId, duration_minutes: 60 } });
    second = ((await other.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await s?.manage("/manage/cache/purge", { json: { all: true } });
    await s?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.seen.length = 0;
    upstreamSays("no-cache");
  });

  it("is served to requests that opt in likewise, never to a plain request of the project", async () => {
    const url = "/v1/models?forced=1";
    expect(await status(url, first, optIn)).toBe("llm-proxy; stored (forced)");
    // Another token of the same project, asking plainly: the upstream's no-cache holds.
    expect(await status(url, second)).toBe("llm-proxy; bypass");
    expect(await status(url, first)).toBe("llm-proxy; bypass");
    expect(await status(url, second, { "cache-control": "max-age=600" })).toBe("llm-proxy; bypass");
    expect(calls(url)).toBe(4);
    // Opting in gets the stored copy, from either token.
    const hit = await raw(s, url, { token: second, headers: optIn });
    expect(hit.headers.get("cache-status")).toBe("llm-proxy; hit");
    expect(hit.body).toMatchObject({ n: 1 });
    expect(await status(url, first, optIn)).toBe("llm-proxy; hit");
    expect(calls(url)).toBe(4);
  });

  it("leaves a plain request's answer to the upstream's word", async () => {
    const url = "/v1/models?forced=2";
    expect(await status(url, first, optIn)).toBe("llm-proxy; stored (forced)");
    upstreamSays("public, max-age=600");
    // The upstream now says shareable: the plain request's answer replaces the forced entry for all.
    expect(await status(url, second)).toBe("llm-proxy; stored");
    expect(await status(url, first)).toBe("llm-proxy; hit");
    expect(calls(url)).toBe(2);
  });

  it("never stores what the upstream marks no-store or private, whatever the client asks", async () => {
    for (const [i, cc] of ["no-store", "private, max-age=600", "no-cache, no-store"].entries()) {
      upstreamSays(cc);
      const url = `/v1/models?forced=nostore${i}`;
      await raw(s, url, { token: first, headers: optIn });
      expect(await status(url, first, optIn)).not.toMatch(/hit/);
      expect(calls(url)).toBe(2);
    }
  });
});
