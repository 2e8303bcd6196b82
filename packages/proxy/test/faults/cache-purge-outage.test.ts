import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrl } from "../../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";
import { startRelay, type Relay } from "./relay.js";

const redis = redisUrl();

// Issue 12.12: a cache purge with Redis unreachable answered 500 "internal server error".
describe.skipIf(!redis)("cache purge while Redis is unreachable", () => {
  let fake: FakeUpstream;
  let relay: Relay;
  let s: Stack;
  let secret: string;
  const optIn = { "cache-control": "public, max-age=600" };
  const purge = async (json: unknown) => {
    const res = await s.manage("/manage/cache/purge", { json });
    return { status: res.status, body: (await res.json()) as unknown, requestId: res.headers.get("x-request-id") };
  };

  beforeAll(async () => {
    const url = new URL(redis as string);
    relay = await startRelay(Number(url.port || 6379), url.hostname);
    url.port = String(relay.port);
    const run = `${Date.now()}-${process.pid}`;
    fake = await startFakeUpstream();
    s = await startStack("embedded", {
      OPENAI_API_URL: fake.url,
      REDIS_URL: url.toString(),
      REDIS_KEY_PREFIX: `test-purge-outage-${run}:`,
      REDIS_CACHE_KEY_PREFIX: `test-purge-outage-cache-${run}:`,
    });
    secret = (await seedToken(s)).secret;
  });
  afterAll(async () => {
    await relay?.accept();
    await s?.manage("/manage/cache/purge", { json: { all: true } }).catch(() => undefined);
    await s?.close();
    await relay?.close();
    await fake?.close();
  });

  it("answers 503 service_unavailable, audits it, and purges once Redis is back", async () => {
    expect((await raw(s, "/v1/models?outage=1", { token: secret, headers: optIn })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    await relay.refuse();
    for (const filter of [{ all: true }, { url: "/v1/models?outage=1" }, { prefix: "/v1/" }]) {
      const r = await purge(filter);
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ error: "the response cache (Redis) is unavailable: the purge did not complete; try again shortly", code: "service_unavailable" });
      const audit = (await (await s.manage(`/manage/audit?request_id=${r.requestId}`)).json()) as { events: { action: string; outcome: string }[] };
      expect(audit.events).toMatchObject([{ action: "cache.purge", outcome: "error" }]);
    }
    // The management API itself stays up.
    expect((await s.manage("/manage/projects")).status).toBe(200);

    await relay.accept();
    await expect.poll(async () => (await purge({ url: "/v1/models?outage=1" })).status, { timeout: 30_000, interval: 250 }).toBe(200);
    expect((await raw(s, "/v1/models?outage=1", { token: secret, headers: optIn })).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
  }, 120_000);
});
