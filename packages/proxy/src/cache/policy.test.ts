import { describe, expect, it } from "vitest";
import { MAX_TTL_SECONDS } from "./directives.js";
import { cacheKey, hashBody, lookupPlan, responseHeaders, serveDecision, storeDecision, type StoreOptions } from "./policy.js";
import type { CachedResponse } from "./port.js";

const key = (over: Partial<Parameters<typeof cacheKey>[0]> = {}) =>
  cacheKey({ method: "GET", url: "/v1/models", scope: "proj_a", varyHeaders: {}, ...over });

describe("cacheKey", () => {
  it("is a stable SHA-256 hex for the same request", () => {
    expect(key()).toMatch(/^[0-9a-f]{64}$/);
    expect(key()).toBe(key());
  });

  it("scopes entries per project: project A never shares project B's key unless both are 'shared'", () => {
    expect(key({ scope: "proj_a" })).not.toBe(key({ scope: "proj_b" }));
    expect(key({ scope: "shared" })).toBe(key({ scope: "shared" }));
  });

  it("sorts the query by name and by value, and ignores an empty query", () => {
    expect(key({ url: "/v1/models?b=2&a=1" })).toBe(key({ url: "/v1/models?a=1&b=2" }));
    expect(key({ url: "/v1/models?a=2&a=1" })).toBe(key({ url: "/v1/models?a=1&a=2" }));
    expect(key({ url: "/v1/models?" })).toBe(key({ url: "/v1/models" }));
    expect(key({ url: "/v1/models?a=1" })).not.toBe(key({ url: "/v1/models?a=2" }));
    // The original's "a=1,2" joined values collided with one value "1,2".
    expect(key({ url: "/v1/models?a=1&a=2" })).not.toBe(key({ url: "/v1/models?a=1%2C2" }));
  });

  it("separates methods and paths, and answers HEAD from GET's entry", () => {
    expect(key({ method: "POST" })).not.toBe(key());
    expect(key({ url: "/v1/models/x" })).not.toBe(key());
    expect(key({ method: "HEAD" })).toBe(key());
    expect(key({ method: "get" })).toBe(key());
  });

  it("varies on Accept, Accept-Encoding and Accept-Language only", () => {
    expect(key({ varyHeaders: { accept: "text/plain" } })).not.toBe(key());
    expect(key({ varyHeaders: { "accept-encoding": "gzip" } })).not.toBe(key());
    expect(key({ varyHeaders: { "accept-language": "de" } })).not.toBe(key());
    expect(key({ varyHeaders: { accept: " text/plain " } })).toBe(key({ varyHeaders: { accept: "text/plain" } }));
    expect(key({ varyHeaders: { authorization: "Bearer sk-1", "x-request-id": "r" } })).toBe(key());
  });

  it("adds the body hash and, for POST only, the forced TTL", () => {
    const post = { method: "POST", url: "/v1/chat/completions", bodyHash: hashBody(Buffer.from("{}")) };
    expect(key(post)).not.toBe(key({ ...post, bodyHash: hashBody(Buffer.from("[]")) }));
    expect(key({ ...post, forcedTtlSeconds: 60 })).not.toBe(key({ ...post, forcedTtlSeconds: 120 }));
    expect(key({ forcedTtlSeconds: 60 })).toBe(key());
  });
});

describe("lookupPlan", () => {
  const plan = (method: string, headers: Record<string, string> = {}, bodyLength: number | "unknown" = 10) =>
    lookupPlan({ method, headers, bodyLength: bodyLength === "unknown" ? undefined : bodyLength, maxBodyBytes: 1024 });

  it("always looks GET and HEAD up, without a body hash", () => {
    expect(plan("GET")).toEqual({ kind: "lookup", needsBodyHash: false, revalidate: false });
    expect(plan("HEAD")).toEqual({ kind: "lookup", needsBodyHash: false, revalidate: false });
  });

  it("looks POST up only on the client's opt-in with a known body within the limit", () => {
    expect(plan("POST")).toEqual({ kind: "skip" });
    expect(plan("POST", { "cache-control": "max-age=60" })).toEqual({ kind: "skip" });
    expect(plan("POST", { "cache-control": "public" })).toEqual({ kind: "skip" });
    expect(plan("POST", { "cache-control": "public, max-age=0" })).toEqual({ kind: "skip" });
    expect(plan("POST", { "cache-control": "public, max-age=60" })).toEqual({ kind: "lookup", forcedTtlSeconds: 60, needsBodyHash: true, revalidate: false });
    expect(plan("POST", { "cache-control": "Public, Max-Age=60, s-maxage=90" })).toMatchObject({ forcedTtlSeconds: 90 });
    expect(plan("POST", { "cache-control": "public, max-age=60" }, "unknown")).toEqual({ kind: "skip" });
    expect(plan("POST", { "cache-control": "public, max-age=60" }, 1025)).toEqual({ kind: "skip" });
    expect(plan("POST", { "cache-control": "public, max-age=60" }, 1024)).toMatchObject({ kind: "lookup" });
    expect(plan("PUT", { "cache-control": "public, max-age=60" })).toEqual({ kind: "skip" });
    expect(plan("DELETE")).toEqual({ kind: "skip" });
  });

  it("asks for revalidation on no-cache, max-age=0 or Pragma: no-cache", () => {
    expect(plan("GET", { "cache-control": "no-cache" })).toMatchObject({ revalidate: true });
    expect(plan("GET", { "cache-control": "max-age=0" })).toMatchObject({ revalidate: true });
    expect(plan("GET", { pragma: "no-cache" })).toMatchObject({ revalidate: true });
    expect(plan("GET", { "cache-control": "max-age=10", pragma: "no-cache" })).toMatchObject({ revalidate: false });
    expect(plan("GET", { "cache-control": "public, max-age=30" })).toEqual({ kind: "lookup", forcedTtlSeconds: 30, needsBodyHash: false, revalidate: false });
  });

  it("caps an opted-in lifetime", () => {
    expect(plan("POST", { "cache-control": "public, max-age=99999999999" })).toMatchObject({ forcedTtlSeconds: MAX_TTL_SECONDS });
  });
});

const opts: StoreOptions = { defaultTtlSeconds: 300, maxObjectBytes: 1000, streamResponses: false };
type Res = Parameters<typeof storeDecision>[1];
const ok: Res = { status: 200, headers: { "content-type": "application/json", "cache-control": "public" }, streaming: false, bodyBytes: 10 };
const store = (
  req: { method?: string; headers?: Record<string, string>; forcedTtlSeconds?: number } = {},
  res: Partial<Res> = {},
  o: Partial<StoreOptions> = {},
) => storeDecision({ method: "GET", headers: {}, ...req }, { ...ok, ...res }, { ...opts, ...o });

describe("storeDecision", () => {
  it("resolves the lifetime: s-maxage > max-age > client opt-in > default", () => {
    expect(store({}, { headers: { "cache-control": "max-age=10, s-maxage=20" } })).toMatchObject({ store: true, ttlMs: 20_000, forced: false });
    expect(store({}, { headers: { "cache-control": "max-age=10" } })).toMatchObject({ store: true, ttlMs: 10_000, forced: false });
    expect(store({ forcedTtlSeconds: 60 }, { headers: { "cache-control": "max-age=10" } })).toMatchObject({ ttlMs: 10_000, forced: false });
    expect(store({ forcedTtlSeconds: 60 })).toMatchObject({ store: true, ttlMs: 60_000, forced: true });
    expect(store()).toMatchObject({ store: true, ttlMs: 300_000, forced: false });
    expect(store({}, { headers: { "cache-control": "public" } })).toMatchObject({ ttlMs: 300_000 });
  });

  it("stores nothing without a lifetime", () => {
    expect(store({}, {}, { defaultTtlSeconds: 0 })).toEqual({ store: false, reason: "ttl-zero" });
    // No lifetime from either side and no `public`: the default does not apply.
    expect(store({}, { headers: { "content-type": "application/json" } })).toEqual({ store: false, reason: "no-freshness" });
    expect(store({}, { headers: { "cache-control": "max-age=0" } })).toEqual({ store: false, reason: "ttl-zero" });
    expect(store({}, { headers: { "cache-control": "s-maxage=0, max-age=60" } })).toEqual({ store: false, reason: "ttl-zero" });
    expect(store({}, { headers: { "cache-control": "no-cache" } })).toEqual({ store: false, reason: "no-cache" });
    expect(store({}, { headers: { "cache-control": "no-cache, max-age=60" } })).toEqual({ store: false, reason: "no-cache" });
  });

  it("lets the client's opt-in outlive an upstream no-cache (SSE) but never no-store or private", () => {
    expect(store({ forcedTtlSeconds: 60 }, { headers: { "cache-control": "no-cache" } })).toMatchObject({ store: true, forced: true });
    expect(store({ forcedTtlSeconds: 60 }, { headers: { "cache-control": "max-age=0" } })).toMatchObject({ store: true, ttlMs: 60_000, forced: true });
    expect(store({ forcedTtlSeconds: 60 }, { headers: { "cache-control": "no-store" } })).toEqual({ store: false, reason: "no-store" });
    expect(store({ forcedTtlSeconds: 60 }, { headers: { "cache-control": "private, max-age=60" } })).toEqual({ store: false, reason: "private" });
    expect(store({ headers: { "cache-control": "no-store" } })).toEqual({ store: false, reason: "no-store" });
  });

  it("rewrites Cache-Control of forced entries and filters per-request headers", () => {
    const d = store(
      { method: "POST", forcedTtlSeconds: 60 },
      {
        headers: {
          "content-type": "application/json", "cache-control": "no-cache", etag: '"e"', "x-request-id": "req_1", date: "x",
          "set-cookie": "a=b", "access-control-allow-origin": "*", "x-proxy-received-at": "t", "x-upstream-request-start": "1",
          connection: "keep-alive", "transfer-encoding": "chunked", "content-length": "10", "openai-model": "gpt",
        },
      },
    );
    expect(d).toEqual({
      store: true, ttlMs: 60_000, forced: true, vary: {},
      headers: { "content-type": "application/json", "cache-control": "public, max-age=60", etag: '"e"', "openai-model": "gpt" },
    });
  });

  it("records the request's values of the headers the upstream varies on, except credentials and Origin", () => {
    const d = store({ headers: { "x-tenant": "t1", authorization: "Bearer sk" } }, { headers: { "cache-control": "public", vary: "X-Tenant, Accept-Language, Authorization, Origin" } });
    expect(d).toMatchObject({ store: true, vary: { "x-tenant": "t1", "accept-language": "" } });
    expect(store({}, { headers: { vary: "*" } })).toEqual({ store: false, reason: "vary-star" });
  });

  it("keeps only 200/203 answers to GET and opted-in POST", () => {
    expect(store({}, { status: 404 })).toEqual({ store: false, reason: "status-not-cacheable" });
    expect(store({}, { status: 500 })).toEqual({ store: false, reason: "status-not-cacheable" });
    expect(store({}, { status: 203 })).toMatchObject({ store: true });
    expect(store({ method: "POST" })).toEqual({ store: false, reason: "method-not-cacheable" });
    expect(store({ method: "HEAD" })).toEqual({ store: false, reason: "method-not-cacheable" });
    expect(store({ method: "PUT", forcedTtlSeconds: 60 })).toEqual({ store: false, reason: "method-not-cacheable" });
  });

  it("bounds the object size", () => {
    expect(store({}, { bodyBytes: 1001 })).toEqual({ store: false, reason: "too-large" });
    expect(store({}, { bodyBytes: 1000 })).toMatchObject({ store: true });
    expect(store({}, { bodyBytes: undefined })).toMatchObject({ store: true });
  });

  it("stores streams only when enabled and opted in", () => {
    expect(store({ method: "POST", forcedTtlSeconds: 60 }, { streaming: true })).toEqual({ store: false, reason: "streaming-response" });
    expect(store({}, { streaming: true }, { streamResponses: true })).toEqual({ store: false, reason: "streaming-response" });
    expect(store({ method: "POST", forcedTtlSeconds: 60 }, { streaming: true, bodyBytes: undefined }, { streamResponses: true })).toMatchObject({ store: true, forced: true });
  });

  it("in a shared scope keeps only what the upstream marked shareable, or forced", () => {
    expect(store({}, { headers: { "cache-control": "max-age=5" } }, { shared: true })).toEqual({ store: false, reason: "not-shareable" });
    expect(store({}, { headers: { "cache-control": "public, max-age=5" } }, { shared: true })).toMatchObject({ store: true });
    expect(store({}, { headers: { "cache-control": "s-maxage=5" } }, { shared: true })).toMatchObject({ store: true });
    expect(store({ forcedTtlSeconds: 9 }, {}, { shared: true })).toMatchObject({ store: true, forced: true });
  });
});

describe("serveDecision", () => {
  const now = 1_000_000;
  const entry = (over: Partial<CachedResponse> = {}): CachedResponse => ({
    status: 200, headers: { "cache-control": "public, max-age=60", etag: 'W/"v1"', "last-modified": "Wed, 01 Jan 2025 00:00:00 GMT" },
    body: Buffer.from("{}"), storedAt: now - 1000, expiresAt: now + 59_000, vary: {}, forced: false, ...over,
  });
  const serve = (e: CachedResponse, headers: Record<string, string> = {}, method = "GET", shared?: boolean) =>
    serveDecision(e, { method, headers: { authorization: "Bearer sk-x", ...headers }, now, shared }).kind;

  it("hits a fresh entry and misses an expired one", () => {
    expect(serve(entry())).toBe("hit");
    expect(serve(entry({ expiresAt: now }))).toBe("miss");
  });

  it("re-checks the stored Vary values", () => {
    const e = entry({ vary: { "x-tenant": "t1", "accept-language": "" } });
    expect(serve(e, { "x-tenant": "t1" })).toBe("hit");
    expect(serve(e, { "x-tenant": "t2" })).toBe("miss");
    expect(serve(e, { "x-tenant": "t1", "accept-language": "de" })).toBe("miss");
  });

  it("bypasses entries not marked shareable for authenticated requests in a shared scope only", () => {
    const privateish = entry({ headers: { "content-type": "application/json" } });
    expect(serve(privateish)).toBe("bypass");
    expect(serve(privateish, {}, "GET", true)).toBe("bypass");
    expect(serve(privateish, {}, "GET", false)).toBe("hit");
    expect(serve(entry({ headers: { "cache-control": "s-maxage=60" } }))).toBe("hit");
  });

  it("serves an entry a client forced only to requests that opt in likewise and accept its age", () => {
    const forced = entry({ forced: true, storedAt: now - 30_000, headers: { "cache-control": "public, max-age=60", etag: '"v1"' } });
    expect(serve(forced, {}, "GET", false)).toBe("bypass");
    expect(serve(forced, {}, "GET", true)).toBe("bypass");
    expect(serve(forced, { "cache-control": "max-age=60" }, "GET", false)).toBe("bypass");
    expect(serve(forced, { "cache-control": "public" }, "GET", false)).toBe("bypass");
    expect(serve(forced, { "if-none-match": '"v1"' }, "GET", false)).toBe("bypass");
    expect(serve(forced, {}, "HEAD", false)).toBe("bypass");
    expect(serve(forced, { "cache-control": "public, max-age=60" }, "GET", false)).toBe("hit");
    expect(serve(forced, { "cache-control": "public, s-maxage=30" }, "GET", false)).toBe("hit");
    expect(serve(forced, { "cache-control": "public, max-age=60", "if-none-match": '"v1"' }, "GET", false)).toBe("conditional-hit");
    // Older than the requester's own lifetime: not what it opted into.
    expect(serve(forced, { "cache-control": "public, max-age=10" }, "GET", false)).toBe("bypass");
    // The upstream's own word still serves everyone.
    expect(serve({ ...forced, forced: false }, {}, "GET", false)).toBe("hit");
  });

  it("answers validators with a conditional hit (If-None-Match first, weak comparison)", () => {
    expect(serve(entry(), { "if-none-match": '"v1"' })).toBe("conditional-hit");
    expect(serve(entry(), { "if-none-match": '"v0", W/"v1"' })).toBe("conditional-hit");
    expect(serve(entry(), { "if-none-match": "*" })).toBe("conditional-hit");
    expect(serve(entry(), { "if-none-match": '"v2"', "if-modified-since": "Thu, 02 Jan 2025 00:00:00 GMT" })).toBe("hit");
    expect(serve(entry(), { "if-modified-since": "Thu, 02 Jan 2025 00:00:00 GMT" })).toBe("conditional-hit");
    expect(serve(entry(), { "if-modified-since": "Tue, 31 Dec 2024 00:00:00 GMT" })).toBe("hit");
    expect(serve(entry(), { "if-none-match": '"v1"' }, "HEAD")).toBe("conditional-hit");
    expect(serve(entry(), { "if-none-match": '"v1"' }, "POST")).toBe("hit");
  });
});

describe("responseHeaders", () => {
  it("carries the original's exact values", () => {
    expect(responseHeaders("miss", "k")).toEqual({ "cache-status": "llm-proxy; miss" });
    expect(responseHeaders("hit", "k")).toEqual({ "cache-status": "llm-proxy; hit", "x-proxy-cache": "hit", "x-proxy-cache-key": "k" });
    expect(responseHeaders("bypass", "k")).toEqual({ "cache-status": "llm-proxy; bypass", "x-proxy-cache": "bypass", "x-proxy-cache-key": "k" });
    expect(responseHeaders("conditional-hit", "k")).toEqual({ "cache-status": "llm-proxy; conditional-hit", "x-proxy-cache": "conditional-hit", "x-proxy-cache-key": "k" });
    expect(responseHeaders("stored", "k")).toEqual({ "cache-status": "llm-proxy; stored", "x-proxy-cache": "stored", "x-proxy-cache-key": "k" });
    expect(responseHeaders("stored-forced", "k")).toEqual({ "cache-status": "llm-proxy; stored (forced)", "x-proxy-cache": "stored", "x-proxy-cache-key": "k" });
  });
});
