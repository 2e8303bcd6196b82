import { describe, expect, it } from "vitest";
import { createMemoryCacheStore } from "../../cache/memory.js";
import { createMetrics } from "../../observability/metrics.js";
import type { ActiveToken } from "../access.js";
import type { CacheDeps } from "../deps.js";
import type { ForwardResult } from "../forward.js";
import { cache, cacheHeaders, cacheStore } from "./cache.js";
import { exchange } from "./testing.js";

const token = (projectId: string): ActiveToken => ({ id: "t", projectId, expiresAt: null, limited: true, rateLimitRpm: null, maxSpendNanos: null });

function setup() {
  const c: CacheDeps = { store: createMemoryCacheStore({ maxBytes: 1 << 20 }), shared: false, policy: { defaultTtlSeconds: 60, maxObjectBytes: 1000, streamResponses: false } };
  return { cache: c, metrics: createMetrics(), maxBodyBytes: 10_000 };
}

/** A GET as the stages before the cache leave it: admitted and authenticated. */
function get(projectId: string, headers: Record<string, string> = {}) {
  const e = exchange({ method: "GET", url: "/v1/models?b=2&a=1", headers });
  e.x.token = token(projectId);
  return e;
}

/** What the forward stage would have kept of an upstream answer that ended. */
function forwarded(x: ReturnType<typeof get>["x"], body: string, status = 200, truncated = false): void {
  const bytes = Buffer.from(body);
  x.res.end();
  x.result = {
    status,
    streaming: false,
    contentType: "application/json",
    contentEncoding: undefined,
    headers: {},
    headersAt: 0,
    tee: { truncated, captured: () => bytes, bytes: bytes.length, headBytes: bytes.length, firstByteAt: 0, tail: undefined, head: [bytes] },
  } as unknown as ForwardResult;
}

describe("cache", () => {
  it("misses, stores a cacheable answer, then answers the same request itself for the same project only", async () => {
    const deps = setup();
    const first = get("p1").x;
    expect(await cache(first, deps)).toBe("continue");
    expect(first.cache).toMatchObject({ outcome: "miss" });
    const h = cacheHeaders(first, deps, 200, { "content-type": "application/json", "cache-control": "public, max-age=60", "content-length": "11" }, false);
    expect(h["x-proxy-cache"]).toBe("stored");
    forwarded(first, '{"data":[]}');
    await cacheStore(first, deps);

    const hit = get("p1");
    expect(await cache(hit.x, deps)).toBe("answered");
    const a = hit.answer();
    expect([a.status, a.body, a.headers["x-proxy-cache"], a.headers["x-request-id"]]).toEqual([200, '{"data":[]}', "hit", hit.x.requestId]);
    expect(hit.x.cache?.outcome).toBe("hit");

    // Another project's key differs: its request goes upstream.
    expect(await cache(get("p2").x, deps)).toBe("continue");
  });

  it("answers a conditional request with 304 and no body", async () => {
    const deps = setup();
    const first = get("p1").x;
    await cache(first, deps);
    cacheHeaders(first, deps, 200, { "cache-control": "public, max-age=60", etag: '"v1"' }, false);
    forwarded(first, "{}");
    await cacheStore(first, deps);
    const again = get("p1", { "if-none-match": '"v1"' });
    expect(await cache(again.x, deps)).toBe("answered");
    expect(again.answer()).toMatchObject({ status: 304, body: "" });
  });

  it("keeps nothing nobody gave a lifetime, nor an answer cut short", async () => {
    const deps = setup();
    const plain = get("p1").x;
    await cache(plain, deps);
    expect(cacheHeaders(plain, deps, 200, { "content-type": "application/json" }, false)).toMatchObject({ "cache-status": "llm-proxy; miss", "x-cache-debug": "no-freshness" });
    forwarded(plain, "{}");
    await cacheStore(plain, deps);
    expect(await cache(get("p1").x, deps)).toBe("continue");
    const cut = get("p1").x;
    await cache(cut, deps);
    cacheHeaders(cut, deps, 200, { "cache-control": "public, max-age=60" }, false);
    forwarded(cut, "{", 200, true);
    await cacheStore(cut, deps);
    expect(await cache(get("p1").x, deps)).toBe("continue");
  });

  it("consults nothing for a POST without the client's opt-in, and is a no-op when the cache is off", async () => {
    const deps = setup();
    const post = exchange({ headers: { "content-type": "application/json", "content-length": "2" }, body: "{}" }).x;
    post.hasBody = true;
    post.declaredLength = 2;
    post.token = token("p1");
    expect(await cache(post, deps)).toBe("continue");
    expect(post.cache).toBeUndefined();
    expect(cache(get("p1").x, { ...deps, cache: undefined })).toBe("continue");
  });

  it("hashes a POST body the client opted in, so that another body is another entry", async () => {
    const deps = setup();
    const post = (text: string) => {
      const e = exchange({ headers: { "content-type": "application/json", "content-length": String(text.length), "cache-control": "public, max-age=60" }, body: text });
      Object.assign(e.x, { hasBody: true, declaredLength: text.length, token: token("p1") });
      return e;
    };
    const a = post('{"q":1}').x;
    await cache(a, deps);
    expect(a.body?.toString()).toBe('{"q":1}');
    expect(cacheHeaders(a, deps, 200, { "content-type": "application/json" }, false)["cache-status"]).toBe("llm-proxy; stored (forced)");
    forwarded(a, '{"a":1}');
    await cacheStore(a, deps);
    expect(await cache(post('{"q":1}').x, deps)).toBe("answered");
    expect(await cache(post('{"q":2}').x, deps)).toBe("continue");
  });
});
