import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postgresUrl } from "../../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { freshPostgresDatabase, startStack, type Stack } from "../harness.js";
import { freePort, startRedisServer, stopRedisServer } from "../redis-server.js";
import { startRelay, type Relay } from "./relay.js";

const pg = postgresUrl();

interface BusMetrics {
  events_published: number;
  events_dropped: number;
  events_buffered: number;
}

/**
 * Two proxies on PostgreSQL and a throwaway Redis (behind a relay), one failing rate limits
 * open and one closed: Redis stopped, restarted empty, and slow. Requests are answered all
 * along (or refused with a clear 503 where the operator chose "closed"), and everything Redis
 * does for them comes back when it does.
 */
describe.skipIf(!pg)("Redis faults under a proxy on PostgreSQL and Redis", () => {
  let fake: FakeUpstream;
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let redisPort: number;
  let redis: ChildProcess;
  let relay: Relay;
  let open: Stack;
  let closed: Stack;
  let t: Awaited<ReturnType<typeof seedToken>>;
  const BUFFER = 5;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    db = await freshPostgresDatabase();
    redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    relay = await startRelay(redisPort);
    const env = {
      OPENAI_API_URL: fake.url,
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${relay.port}`,
      REDIS_COMMAND_TIMEOUT: "200ms",
      RATE_LIMIT_RPM: "1000",
      OBSERVABILITY_BUFFER_SIZE: String(BUFFER),
    };
    open = await startStack("postgres", { ...env, RATE_LIMIT_FAIL_MODE: "open" });
    closed = await startStack("postgres", { ...env, RATE_LIMIT_FAIL_MODE: "closed" });
    t = await seedToken(open);
  });
  afterAll(async () => {
    relay?.resume();
    relay?.delay(0);
    await open?.close();
    await closed?.close();
    await relay?.close();
    if (redis) await stopRedisServer(redis);
    await db?.drop();
    await fake?.close();
  });
  beforeEach(() => {
    // Model lists are cacheable for a minute, so the response cache has something to do.
    fake.override = (req, res) => {
      if (!req.url?.endsWith("/v1/models")) return false;
      res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=60" }).end('{"object":"list","data":[]}');
      return true;
    };
  });

  const chat = (s: Stack, secret = t.secret) => raw(s, "/v1/chat/completions", { token: secret, json: { model: "gpt-4o-mini", messages: [] } });
  const models = async (s: Stack, secret = t.secret) => {
    const r = await raw(s, "/v1/models", { token: secret });
    expect(r.status).toBe(200);
    return r.headers.get("cache-status");
  };
  /** A cacheable request answered by the upstream itself (the store may be attempted, in vain). */
  const fromUpstream = async (s: Stack, secret: string) => {
    const seen = fake.seen.length;
    expect(await models(s, secret)).not.toMatch(/hit/);
    expect(fake.seen.length).toBe(seen + 1);
  };
  const bus = async (s: Stack) => (await (await fetch(`${s.apiUrl}/metrics`)).json()) as BusMetrics;
  const streamLength = async () => {
    const r = new Redis(redisPort, "127.0.0.1", { maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      return await r.xlen("llm-proxy-events");
    } finally {
      r.disconnect();
    }
  };

  it("serves through a Redis outage (events buffered then dropped with a count, cache missed, rate limits per RATE_LIMIT_FAIL_MODE) and resumes on an empty Redis", async () => {
    const own = await seedToken(open);
    expect(await models(open, own.secret)).toBe("llm-proxy; stored");
    expect(await models(open, own.secret)).toMatch(/llm-proxy; hit/);
    const before = await bus(open);

    await stopRedisServer(redis);
    const during = [];
    for (let i = 0; i < BUFFER + 3; i++) during.push((await chat(open, own.secret)).status);
    expect(during).toEqual(Array.from({ length: BUFFER + 3 }, () => 200));
    await fromUpstream(open, own.secret);
    await expect.poll(async () => (await bus(open)).events_buffered, { timeout: 5000 }).toBe(BUFFER);
    expect((await bus(open)).events_dropped - before.events_dropped).toBeGreaterThanOrEqual(3);
    const refused = await chat(closed, own.secret);
    expect(refused).toMatchObject({ status: 503, body: { code: "service_unavailable", description: "rate limiter unavailable" } });
    expect(refused.headers.get("content-type")).toBe("application/json");

    // Back, with none of its data: not the scripts, the cache, the stream, the rate-limit logs.
    redis = await startRedisServer(redisPort);
    await expect.poll(async () => (await bus(open)).events_buffered, { timeout: 15_000, interval: 200 }).toBe(0);
    expect(await streamLength()).toBeGreaterThanOrEqual(BUFFER);
    await expect.poll(async () => (await chat(closed, own.secret)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    const length = await streamLength();
    await chat(open, own.secret);
    await expect.poll(streamLength, { timeout: 5000 }).toBeGreaterThan(length);
    expect(await models(open, own.secret)).toBe("llm-proxy; stored");
    expect(await models(open, own.secret)).toMatch(/llm-proxy; hit/);

    const limited = await seedToken(open);
    await open.manage(`/manage/tokens/${limited.tokenId}`, { method: "PATCH", json: { rate_limit_rpm: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat(i % 2 ? closed : open, limited.secret)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("answers promptly while Redis is slow or hung, and is back to normal when it speeds up", async () => {
    const own = await seedToken(open);
    for (const fault of ["slow", "hung"] as const) {
      if (fault === "slow") relay.delay(1500);
      else relay.pause();
      // One command timeout (200 ms) per Redis use, with room for a busy machine.
      let started = performance.now();
      expect({ fault, status: (await chat(open, own.secret)).status }).toEqual({ fault, status: 200 });
      await fromUpstream(open, own.secret);
      expect(performance.now() - started).toBeLessThan(5000);
      started = performance.now();
      expect({ fault, status: (await chat(closed, own.secret)).status }).toEqual({ fault, status: 503 });
      expect(performance.now() - started).toBeLessThan(5000);
      relay.delay(0);
      relay.resume();
      await expect.poll(async () => (await chat(closed, own.secret)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    }
    await expect.poll(() => models(open, own.secret), { timeout: 5000, interval: 200 }).toMatch(/llm-proxy; (stored|hit)/);
    await expect.poll(async () => (await bus(open)).events_buffered, { timeout: 15_000, interval: 200 }).toBe(0);
  });
});
