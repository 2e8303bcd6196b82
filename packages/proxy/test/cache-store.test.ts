import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { redisUrl } from "../../../test/services.js";
import { createMemoryCacheStore } from "../src/cache/memory.js";
import type { CacheIndexEntry, CachedResponse, ResponseCacheStore } from "../src/cache/port.js";
import { createRedisCacheStore } from "../src/cache/redis.js";

const url = redisUrl();
const runPrefix = `test-cache-store-${process.pid}-${Date.now()}:`;
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients) {
    let cursor = "0";
    while (c.status === "ready") {
      const [next, left] = await c.scan(cursor, "MATCH", `${runPrefix}*`, "COUNT", 1000);
      if (left.length > 0) await c.del(...left);
      if ((cursor = next) === "0") break;
    }
    c.disconnect();
  }
});

const entry = (body: Buffer | string, ttlMs = 60_000, over: Partial<CachedResponse> = {}): CachedResponse => {
  const now = Date.now();
  return {
    status: 200, headers: { "content-type": "application/json" }, body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    storedAt: now, expiresAt: now + ttlMs, vary: {}, forced: false, ...over,
  };
};
const at = (projectId: string, method: string, url: string): CacheIndexEntry => ({ projectId, method, url });

interface Kind {
  make(): ResponseCacheStore;
  errors: unknown[];
}
const kinds: [string, Kind][] = [["memory", { errors: [], make: () => createMemoryCacheStore({ maxBytes: 1_000_000 }) }]];
if (url) {
  const redis = new Redis(url, { enableOfflineQueue: true, commandTimeout: 2000, maxRetriesPerRequest: 1 });
  clients.push(redis);
  let n = 0;
  const kind: Kind = {
    errors: [],
    make: () => createRedisCacheStore(redis, { prefix: `${runPrefix}${n++}:`, onError: (err) => kind.errors.push(err) }),
  };
  kinds.push(["redis", kind]);
}

describe.each(kinds)("response cache store contract (%s)", (_name, kind) => {
  let store: ResponseCacheStore;
  beforeEach(() => {
    store = kind.make();
    kind.errors.length = 0;
  });

  it("round-trips an entry with a binary body, headers, vary and flags", async () => {
    const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const value = entry(binary, 60_000, { status: 203, headers: { etag: '"x"', "content-type": "application/octet-stream" }, vary: { "x-tenant": "t1" }, forced: true });
    await store.set("k1", value, 60_000, at("proj_a", "GET", "/v1/files/x"));
    const got = await store.get("k1");
    expect(got).toEqual(value);
    expect(got?.body.equals(binary)).toBe(true);
    expect(await store.get("absent")).toBeUndefined();
    await store.set("k1", entry("second"), 60_000, at("proj_a", "GET", "/v1/files/x"));
    expect((await store.get("k1"))?.body.toString()).toBe("second");
    expect(kind.errors).toEqual([]);
  });

  it("forgets an entry after its TTL", async () => {
    await store.set("short", entry("soon gone", 80), 80, at("proj_a", "GET", "/v1/models"));
    expect((await store.get("short"))?.body.toString()).toBe("soon gone");
    await sleep(150);
    expect(await store.get("short")).toBeUndefined();
    expect(await store.purge({ all: true })).toBe(0);
  });

  it("purges one URL across projects, optionally for one method", async () => {
    await store.set("a-get", entry("1"), 60_000, at("proj_a", "GET", "/v1/models?x=1"));
    await store.set("a-get-accept", entry("1b"), 60_000, at("proj_a", "GET", "/v1/models?x=1"));
    await store.set("b-get", entry("2"), 60_000, at("proj_b", "GET", "/v1/models?x=1"));
    await store.set("a-post", entry("3"), 60_000, at("proj_a", "POST", "/v1/models?x=1"));
    await store.set("a-other", entry("4"), 60_000, at("proj_a", "GET", "/v1/models?x=2"));
    expect(await store.purge({ method: "GET", url: "/v1/models?x=1" })).toBe(3);
    expect(await store.get("a-get")).toBeUndefined();
    expect(await store.get("b-get")).toBeUndefined();
    expect(await store.get("a-post")).toBeDefined();
    expect(await store.purge({ url: "/v1/models?x=1" })).toBe(1);
    expect(await store.purge({ url: "/v1/models?x=1" })).toBe(0);
    expect(await store.get("a-other")).toBeDefined();
    expect(await store.purge({})).toBe(0);
  });

  it("purges by URL prefix, by project, by both, and everything", async () => {
    await store.set("a1", entry("a1"), 60_000, at("proj_a", "GET", "/v1/models?p=1"));
    await store.set("a2", entry("a2"), 60_000, at("proj_a", "GET", "/v1/models/gpt?p=2"));
    await store.set("a3", entry("a3"), 60_000, at("proj_a", "POST", "/v1/chat/completions"));
    await store.set("b1", entry("b1"), 60_000, at("proj_b", "GET", "/v1/models?p=1"));
    await store.set("b2", entry("b2"), 60_000, at("proj_b", "POST", "/v1/chat/completions"));
    await store.set("c1", entry("c1"), 60_000, at("proj_c", "GET", "/v1/models?p=1"));
    await store.set("c2", entry("c2"), 60_000, at("proj_c", "GET", "/v1/files"));
    expect(await store.purge({ prefix: "/v1/models", projectId: "proj_a" })).toBe(2);
    expect(await store.get("b1")).toBeDefined();
    expect(await store.purge({ prefix: "/v1/models?" })).toBe(2);
    expect(await store.purge({ projectId: "proj_b" })).toBe(1);
    expect(await store.get("a3")).toBeDefined();
    expect(await store.get("c2")).toBeDefined();
    expect(await store.purge({ all: true })).toBe(2);
    expect(await store.get("a3")).toBeUndefined();
    expect(await store.get("c2")).toBeUndefined();
  });
});

describe("memory response cache store", () => {
  it("evicts the least recently used entries to stay within its byte bound", async () => {
    const store = createMemoryCacheStore({ maxBytes: 10_000 });
    for (const k of ["e1", "e2", "e3", "e4"]) await store.set(k, entry(Buffer.alloc(3000, k)), 60_000, at("p", "GET", `/v1/${k}`));
    expect(await store.get("e1")).toBeUndefined();
    expect(await store.get("e4")).toBeDefined();
    // Reading e2 makes it recent: the next insert evicts e3 instead.
    expect(await store.get("e2")).toBeDefined();
    await store.set("e5", entry(Buffer.alloc(3000)), 60_000, at("p", "GET", "/v1/e5"));
    expect(await store.get("e2")).toBeDefined();
    expect(await store.get("e3")).toBeUndefined();
    // Larger than the whole bound: not kept, and nothing else is pushed out for it.
    await store.set("huge", entry(Buffer.alloc(20_000)), 60_000, at("p", "GET", "/v1/huge"));
    expect(await store.get("huge")).toBeUndefined();
    expect(await store.get("e5")).toBeDefined();
  });
});

describe.runIf(url)("redis response cache store", () => {
  it("keeps its URL index bounded: the index expires with its entries and drops expired members", async () => {
    const redis = clients[0] as Redis;
    const prefix = `${runPrefix}index:`;
    const store = createRedisCacheStore(redis, { prefix, onError: (err) => expect.fail(String(err)) });
    await store.set("old", entry("old", 100), 100, at("proj_i", "GET", "/v1/a"));
    const ttl = await redis.pttl(`${prefix}i:proj_i`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
    await sleep(150);
    await store.set("new", entry("new", 5000), 5000, at("proj_i", "GET", "/v1/b"));
    expect(await redis.zcard(`${prefix}i:proj_i`)).toBe(1);
    expect(await redis.pttl(`${prefix}i:proj_i`)).toBeGreaterThan(4000);
    expect(await store.purge({ projectId: "proj_i" })).toBe(1);
    expect(await redis.exists(`${prefix}i:proj_i`)).toBe(0);
  });

  it("finds project ids and prefixes with glob characters literally", async () => {
    const redis = clients[0] as Redis;
    const store = createRedisCacheStore(redis, { prefix: `${runPrefix}glob[*]:`, onError: (err) => expect.fail(String(err)) });
    await store.set("g1", entry("g"), 60_000, at("proj_*?", "GET", "/v1/models?q=*"));
    expect(await store.purge({ prefix: "/v1/models?q=*" })).toBe(1);
    await store.set("g2", entry("g"), 60_000, at("proj_*?", "GET", "/v1/models"));
    expect(await store.purge({ all: true })).toBe(1);
  });

  it("never waits on an outage: get resolves undefined, set resolves, errors are reported", async () => {
    const down = new Redis({ host: "127.0.0.1", port: 1, enableOfflineQueue: false, commandTimeout: 200, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: false });
    down.on("error", () => {});
    const errors: unknown[] = [];
    const store = createRedisCacheStore(down, { prefix: runPrefix, onError: (err) => errors.push(err) });
    const started = performance.now();
    expect(await store.get("k")).toBeUndefined();
    await expect(store.set("k", entry("x"), 60_000, at("p", "GET", "/v1/models"))).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    await expect(store.purge({ all: true })).rejects.toThrow();
    down.disconnect();
  });
});
