import { randomUUID } from "node:crypto";
import { type Redis } from "ioredis";
import { decodeEvent, encodeEvent, type ProxyEvent } from "@llm-proxy/events";
import { sampleEvent } from "@llm-proxy/events/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryBus } from "../src/bus/memory.js";
import { pipelineHealth } from "../src/bus/pipeline.js";
import type { EventBus } from "../src/bus/port.js";
import { createRedisBus } from "../src/bus/redis.js";
import { createMemoryRateLimiter } from "../src/ratelimit/memory.js";
import type { RateLimiter } from "../src/ratelimit/port.js";
import { createRedisRateLimiter } from "../src/ratelimit/redis.js";
import { createRedisClient } from "../src/redis/client.js";
import { createMemoryChangeFeed } from "../src/revocation/memory.js";
import type { Change, ChangeFeed } from "../src/revocation/port.js";
import { createRedisChangeFeed } from "../src/revocation/redis.js";
import { redisUrl } from "../../../test/services.js";
import { freePort, startRedisServer, stopRedisServer } from "./redis-server.js";

const url = redisUrl();
const clients: Redis[] = [];
const client = () => {
  const c = createRedisClient({ url: url as string, cluster: false, commandTimeoutMs: 1000 }, "test") as Redis;
  clients.push(c);
  return c;
};
afterAll(() => clients.forEach((c) => c.disconnect()));
const ready = (c: Redis) => new Promise<void>((r) => (c.status === "ready" ? r() : c.once("ready", () => r())));

const limiters: [string, () => Promise<RateLimiter>][] = [["memory", async () => createMemoryRateLimiter()]];
if (url) limiters.push(["redis", async () => {
  const c = client();
  await ready(c);
  return createRedisRateLimiter(c, `test-${randomUUID()}:`);
}]);

describe.each(limiters)("rate limiter contract (%s)", (_name, make) => {
  it("admits exactly the limit within a window and reports when to retry", async () => {
    const rl = await make();
    const now = 1_000_000;
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => rl.hit("k", 10, 60_000, now + i)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const refused = results.find((r) => !r.allowed);
    expect(refused?.retryAfterMs).toBeGreaterThan(59_000);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await rl.hit("other", 10, 60_000, now)).allowed).toBe(true);
  });

  it("slides: requests leave the window one by one", async () => {
    const rl = await make();
    expect((await rl.hit("s", 2, 1000, 0)).allowed).toBe(true);
    expect((await rl.hit("s", 2, 1000, 500)).allowed).toBe(true);
    expect((await rl.hit("s", 2, 1000, 900)).allowed).toBe(false);
    expect((await rl.hit("s", 2, 1000, 1001)).allowed).toBe(true);
    expect((await rl.hit("s", 2, 1000, 1200)).allowed).toBe(false);
    expect((await rl.hit("s", 2, 1000, 1501)).allowed).toBe(true);
  });
});

const feeds: [string, () => Promise<[ChangeFeed, ChangeFeed]>][] = [["memory", async () => {
  const f = createMemoryChangeFeed();
  return [f, f];
}]];
if (url) feeds.push(["redis", async () => {
  const channel = `test-changes-${randomUUID()}`;
  const [a, b, sa, sb] = [client(), client(), createRedisClient({ url, cluster: false, commandTimeoutMs: 1000 }, "s") as Redis, createRedisClient({ url, cluster: false, commandTimeoutMs: 1000 }, "s") as Redis];
  clients.push(sa, sb);
  await Promise.all([a, b, sa, sb].map(ready));
  const fa = createRedisChangeFeed(a, sa, channel, () => {});
  const fb = createRedisChangeFeed(b, sb, channel, () => {});
  await Promise.all([fa.subscribed, fb.subscribed]);
  return [fa, fb];
}]);

describe.each(feeds)("change fan-out contract (%s)", (_name, make) => {
  it("delivers a change to the publishing instance at once and to the others within a second", async () => {
    const [a, b] = await make();
    const seenA: Change[] = [];
    const seenB: Change[] = [];
    a.subscribe((c) => seenA.push(c));
    b.subscribe((c) => seenB.push(c));
    const change: Change = { kind: "tokens", ids: ["t1", "t2"] };
    a.publish(change);
    expect(seenA).toContainEqual(change);
    await expect.poll(() => seenB, { timeout: 1000 }).toContainEqual(change);
    await a.close();
    await b.close();
  });
});

describe.skipIf(!url)("change fan-out when the subscription is slow to be confirmed", () => {
  it("drops the caches at the timeout, asks again, and then hears other instances", async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    const at = `redis://127.0.0.1:${port}`;
    const admin = createRedisClient({ url: at, cluster: false, commandTimeoutMs: 1000 }, "admin") as Redis;
    const other = createRedisClient({ url: at, cluster: false, commandTimeoutMs: 1000 }, "other") as Redis;
    const publisher = createRedisClient({ url: at, cluster: false, commandTimeoutMs: 1000 }, "pub") as Redis;
    const subscriber = createRedisClient({ url: at, cluster: false, commandTimeoutMs: 200 }, "sub", { subscriber: true }) as Redis;
    const otherSubscriber = createRedisClient({ url: at, cluster: false, commandTimeoutMs: 1000 }, "s2", { subscriber: true }) as Redis;
    try {
      await Promise.all([admin, other, publisher, subscriber].map(ready));
      // Redis holds every client's commands for 600 ms: the SUBSCRIBE times out at 200.
      await admin.call("CLIENT", "PAUSE", "600", "ALL");
      const errors: unknown[] = [];
      const feed = createRedisChangeFeed(publisher, subscriber, "changes", (err) => errors.push(err));
      const seen: Change[] = [];
      feed.subscribe((c) => seen.push(c));
      let subscribed = false;
      void feed.subscribed.then(() => (subscribed = true));
      await expect.poll(() => seen, { timeout: 1000 }).toContainEqual({ kind: "all" });
      expect(errors.length).toBeGreaterThan(0);
      expect(subscribed).toBe(false);
      await feed.subscribed;
      seen.length = 0;
      const sender = createRedisChangeFeed(other, otherSubscriber, "changes", () => {});
      await sender.subscribed;
      sender.publish({ kind: "project", id: "p1" });
      await expect.poll(() => seen, { timeout: 1000 }).toContainEqual({ kind: "project", id: "p1" });
      await sender.close();
      await feed.close();
    } finally {
      for (const c of [admin, other, publisher, subscriber, otherSubscriber]) c.disconnect();
      await stopRedisServer(server);
    }
  });
});

const event = () => sampleEvent();

describe("event bus contract", () => {
  it("memory: delivers every published event to its consumer in order, counts drops past capacity", async () => {
    const got: ProxyEvent[] = [];
    const bus: EventBus = createMemoryBus(100, async (batch) => void got.push(...batch), () => {});
    const sent = Array.from({ length: 150 }, event);
    sent.forEach((e) => bus.publish(e));
    await bus.close();
    expect(got.map((e) => e.id)).toEqual(sent.slice(0, 100).map((e) => e.id));
    expect(bus.stats()).toMatchObject({ published: 100, dropped: 50, buffered: 0 });
  });

  it.skipIf(!url)("redis: XADDs every event to the stream with MAXLEN, readable with the shared decoder", async () => {
    const c = client();
    await ready(c);
    const stream = `test-events-${randomUUID()}`;
    const bus = createRedisBus(c, { stream, maxLen: 1000, capacity: 10_000, batchSize: 100, onError: () => {} });
    const sent = Array.from({ length: 250 }, event);
    sent.forEach((e) => bus.publish(e));
    await bus.close();
    const entries = await c.xrange(stream, "-", "+");
    expect(entries.map(([, fields]) => (decodeEvent(fields[1] as string) as { ok: true; event: ProxyEvent }).event.id)).toEqual(sent.map((e) => e.id));
    expect(bus.stats()).toMatchObject({ published: 250, dropped: 0 });
    await c.del(stream);
  });
});

describe.skipIf(!url)("redis event chunks", () => {
  it("splits a batch into script calls of at most 100 events or 1 MB, each entry the event's own JSON", async () => {
    // A Redis of its own, so that its command counts are this test's alone.
    const port = await freePort();
    const server = await startRedisServer(port);
    const c = createRedisClient({ url: `redis://127.0.0.1:${port}`, cluster: false, commandTimeoutMs: 5000 }, "chunks") as Redis;
    try {
      await ready(c);
      const bus = createRedisBus(c, { stream: "events", maxLen: 0, capacity: 10_000, batchSize: 500, onError: () => {} });
      const big = "x".repeat(400 * 1024);
      // Events 10–12 carry 400 KB each: the first call ends at the 13th event (1 MB reached), then
      // 100 events per call: 13–112, 113–212, 213–229. Four calls; by count alone there were three.
      const sent = Array.from({ length: 230 }, (_, i) => sampleEvent(i >= 10 && i <= 12 ? { response_body: big } : { model: `模型 🚀 ${i}` }));
      sent.forEach((e) => bus.publish(e));
      await bus.close();
      const entries = await c.xrange("events", "-", "+");
      expect(entries.map(([, fields]) => fields[1])).toEqual(sent.map(encodeEvent));
      expect(bus.stats()).toMatchObject({ published: 230, dropped: 0 });
      const stats = (await c.info("commandstats")) as string;
      const calls = [...stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      expect(calls).toBe(4);
    } finally {
      c.disconnect();
      await stopRedisServer(server);
    }
  });
});

describe("pipeline health for the dashboard", () => {
  it("in-process: the bus's figures, degraded once it dropped events", async () => {
    const bus = createMemoryBus(1, undefined, () => {});
    expect(await pipelineHealth(bus)()).toMatchObject({ kind: "in-process", status: "ok" });
    bus.publish(event());
    bus.publish(event());
    const h = await pipelineHealth(bus)();
    expect(h).toMatchObject({ kind: "in-process", status: "degraded" });
    expect(h.dropped).toBeGreaterThan(0);
  });

  it.skipIf(!url)("redis: what the consumer group has not acknowledged, and how old the oldest is; degraded with no group yet", async () => {
    const c = client();
    await ready(c);
    const key = `test-pipeline-${randomUUID()}`;
    const bus = createRedisBus(c, { stream: key, maxLen: 1000, capacity: 100, batchSize: 10, onError: () => {} });
    const health = pipelineHealth(bus, { redis: c, key, group: "dispatchers" });
    expect(await health()).toMatchObject({ kind: "redis", status: "degraded" });
    await c.xgroup("CREATE", key, "dispatchers", "0", "MKSTREAM");
    for (let i = 0; i < 3; i++) bus.publish(event());
    await bus.close();
    await c.xreadgroup("GROUP", "dispatchers", "d1", "COUNT", 2, "STREAMS", key, ">");
    const h = await health();
    expect(h).toMatchObject({ kind: "redis", status: "ok", pending: 2, published: 3 });
    expect(h.lagMs).toBeGreaterThanOrEqual(0);
    await c.del(key);
  });
});
