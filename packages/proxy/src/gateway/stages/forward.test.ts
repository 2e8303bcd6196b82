import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../../../test/fake-upstream.js";
import { createLogger } from "../../observability/logger.js";
import { createMetrics } from "../../observability/metrics.js";
import { Upstreams, abortReason, classify } from "../forward.js";
import { forward } from "./forward.js";
import { defaultProvider, exchange } from "./testing.js";

describe("forward", () => {
  let fake: FakeUpstream;
  const upstreams = new Upstreams();
  const deps = { upstreams, observability: true, metrics: createMetrics(), logger: createLogger({ level: "silent", format: "json" }), cache: undefined };

  const depsOpen = deps;

  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  afterAll(async () => {
    await upstreams.close();
    await fake?.close();
  });

  /** An exchange the earlier stages let through: authenticated, body read. */
  function ready(headers: Record<string, string> = {}, origin = fake.url) {
    const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
    const e = exchange({
      headers: { "content-type": "application/json", "content-length": String(body.length), authorization: "Bearer sk-client-token", ...headers },
      provider: defaultProvider(origin),
    });
    Object.assign(e.x, { hasBody: true, body: Buffer.from(body), project: { isActive: true, apiKey: "sk-upstream", fetchedAt: 0, monthlyBudgetNanos: null }, token: { id: "tok-1", projectId: "proj-1", expiresAt: null, limited: false, rateLimitRpm: null } });
    return e;
  }

  it("sends the project's key instead of the client's token, with the proxy's ids, and never the client's address", async () => {
    const { x, answer } = ready({ "x-forwarded-for": "198.51.100.1", "x-real-ip": "198.51.100.1", cookie: "a=b" });
    expect(await forward(x, deps)).toBe("answered");
    const seen = fake.seen.at(-1);
    expect(seen?.headers.authorization).toBe("Bearer sk-upstream");
    expect(JSON.stringify(seen?.headers)).not.toContain("sk-client-token");
    expect(seen?.headers).toMatchObject({ "x-proxy-id": "proj-1", "x-request-id": x.requestId, "x-proxy": "llm-proxy" });
    for (const h of ["x-forwarded-for", "x-real-ip", "cookie"]) expect(seen?.headers[h], h).toBeUndefined();
    expect(x.res.writableFinished).toBe(true);
    const a = answer();
    expect(a.status).toBe(200);
    expect(a.headers).toMatchObject({ "x-request-id": x.requestId, "x-proxy": "llm-proxy" });
    for (const h of ["x-proxy-received-at", "x-proxy-first-response-at", "x-upstream-request-start", "x-upstream-request-stop"]) expect(a.headers[h], h).toBeDefined();
    expect(x.result?.tee.captured().toString()).toContain("chatcmpl-fake");
  });

  it("gives the client the upstream's cookies but keeps them out of what events and the cache record", async () => {
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "set-cookie": ["__cf_bm=secret-session; Path=/", "b=2"] }).end('{"id":"chatcmpl-c"}');
      return true;
    };
    const { x, wire } = ready();
    await forward(x, deps);
    fake.override = undefined;
    const head = Buffer.concat(wire.written).toString("utf8").split("\r\n\r\n")[0] ?? "";
    expect(head.split("\r\n").filter((l) => /^set-cookie:/i.test(l))).toEqual(["set-cookie: __cf_bm=secret-session; Path=/", "set-cookie: b=2"]);
    expect(x.result?.headers).toMatchObject({ "content-type": "application/json" });
    expect(x.result?.headers["set-cookie"]).toBeUndefined();
  });

  it("feeds the breaker with upstream faults only: five 503s open it, a 200 resets the count", async () => {
    fake.override = (_req, res) => {
      res.writeHead(503, { "content-type": "application/json" }).end("{}");
      return true;
    };
    const breaker = ready().x.breaker;
    for (let i = 0; i < 5; i++) {
      const { x } = ready();
      Object.assign(x, { breaker });
      await forward(x, deps);
      expect(x.status).toBe(503);
    }
    expect(breaker.isOpen()).toBe(true);
    fake.override = undefined;
  });

  it("leaves the breaker's count alone when the client leaves before the answer (499)", async () => {
    const breaker = ready().x.breaker;
    const answer503 = async () => {
      fake.override = (_req, res) => {
        res.writeHead(503, { "content-type": "application/json" }).end("{}");
        return true;
      };
      const { x } = ready();
      Object.assign(x, { breaker });
      await forward(x, deps);
    };
    for (let i = 0; i < 4; i++) await answer503();
    // The upstream is slow; the client goes away meanwhile.
    fake.override = async (_req, res) => {
      await new Promise((r) => setTimeout(r, 300));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return true;
    };
    const left = ready();
    Object.assign(left.x, { breaker });
    const pending = forward(left.x, deps);
    setTimeout(() => left.x.res.destroy(), 50);
    expect(await pending).toBe("answered");
    expect([left.x.status, left.x.errorCode]).toEqual([499, "canceled"]);
    expect(breaker.isOpen()).toBe(false);
    await answer503();
    expect(breaker.isOpen(), "the fifth upstream failure in a row opens it").toBe(true);
    fake.override = undefined;
  });

  it("answers a refused connection as upstream_error and counts it toward the breaker", async () => {
    // Pools are per provider: the closed port needs its own.
    const closed = new Upstreams();
    const deps = { ...depsOpen, upstreams: closed };
    const { x } = ready({}, "http://127.0.0.1:9");
    expect(await forward(x, deps)).toMatchObject({ code: "upstream_error", description: expect.stringContaining("connection refused") });
    const fresh = ready();
    for (let i = 0; i < 4; i++) {
      const e = ready({}, "http://127.0.0.1:9");
      Object.assign(e.x, { breaker: fresh.x.breaker });
      await forward(e.x, deps);
    }
    expect(fresh.x.breaker.isOpen()).toBe(false);
    const last = ready({}, "http://127.0.0.1:9");
    Object.assign(last.x, { breaker: fresh.x.breaker });
    await forward(last.x, deps);
    expect(fresh.x.breaker.isOpen()).toBe(true);
    await closed.close();
  });
});

describe("abort reasons", () => {
  it("carry no stack frames (reading them maps each through the source map) and classify as before", () => {
    const limit = Error.stackTraceLimit;
    const left = abortReason("client closed the connection", "UND_ERR_ABORTED");
    expect(left.stack).toBe("Error: client closed the connection");
    expect(Error.stackTraceLimit).toBe(limit);
    const p = { origin: "http://127.0.0.1:1", headersTimeoutMs: 1000, streamIdleTimeoutMs: 1000, requestTimeoutMs: 5000 };
    expect(classify(left, p).code).toBe("canceled");
    expect(classify(abortReason("request timeout", "REQUEST_TIMEOUT"), p)).toMatchObject({ code: "timeout", description: "127.0.0.1:1 did not finish within 5s" });
  });
});
