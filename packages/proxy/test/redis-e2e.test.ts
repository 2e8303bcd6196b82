import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl, redisUrl } from "../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { raw, seedToken } from "./gateway-helpers.js";
import { freshPostgresDatabase, startStack, type Stack } from "./harness.js";
import { freePort, startRedisServer, stopRedisServer } from "./redis-server.js";

const pg = postgresUrl();
const redis = redisUrl();

describe.skipIf(!pg || !redis)("two proxy instances on one PostgreSQL and one Redis", () => {
  let fake: FakeUpstream;
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let a: Stack;
  let b: Stack;
  const prefix = `e2e-${Date.now()}:`;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    db = await freshPostgresDatabase();
    const env = { OPENAI_API_URL: fake.url, DATABASE_URL: db.url, REDIS_URL: redis as string, REDIS_KEY_PREFIX: prefix, REDIS_STREAM_KEY: `${prefix}events` };
    a = await startStack("postgres", env);
    b = await startStack("postgres", env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    await fake?.close();
  });

  it("a revoke through one instance is refused by the other within a second", async () => {
    const t = await seedToken(a);
    expect((await raw(b, "/v1/models", { token: t.secret })).status).toBe(200);
    await a.manage(`/manage/tokens/${t.tokenId}`, { method: "DELETE" });
    // The poll gives up 1 s after the revoke was acknowledged.
    await expect.poll(async () => (await raw(b, "/v1/models", { token: t.secret })).status, { timeout: 1000, interval: 50 }).toBe(401);
  });

  it("project deactivation reaches the other instance's project cache", async () => {
    const t = await seedToken(a);
    expect((await raw(b, "/v1/models", { token: t.secret })).status).toBe(200);
    await a.manage(`/manage/projects/${t.projectId}`, { method: "PATCH", json: { is_active: false } });
    await expect.poll(async () => (await raw(b, "/v1/models", { token: t.secret })).body, { timeout: 1000, interval: 50 }).toMatchObject({ code: "project_inactive" });
  });

  it("lets exactly 10 of 100 concurrent requests through a 10 rpm token, across both instances", async () => {
    const t = await seedToken(a);
    await a.manage(`/manage/tokens/${t.tokenId}`, { method: "PATCH", json: { rate_limit_rpm: 10 } });
    // POST: not cacheable without opt-in, so every request meets the rate limit.
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => raw(i % 2 ? a : b, "/v1/chat/completions", { token: t.secret, json: { model: "m", messages: [] } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    const refused = results.find((r) => r.status === 429);
    expect(refused?.body).toMatchObject({ code: "rate_limit_exceeded" });
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("publishes request events to the Redis stream", async () => {
    const t = await seedToken(a);
    await raw(a, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } });
    const r = new Redis(redis as string);
    try {
      await expect.poll(async () => (await r.xrange(`${prefix}events`, "-", "+")).map(([, f]) => JSON.parse(f[1] as string) as { token_id: string; model: string }).find((e) => e.token_id === t.tokenId), { timeout: 3000 }).toMatchObject({ model: "gpt-4o-mini" });
    } finally {
      await r.del(`${prefix}events`);
      r.disconnect();
    }
  });
});

describe("Redis outage and TLS", () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  afterAll(() => fake?.close());

  it("keeps serving while Redis is down and recovers the event stream when it returns", async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const url = `redis://127.0.0.1:${port}`;
    const s = await startStack("embedded", { OPENAI_API_URL: fake.url, REDIS_URL: url, RATE_LIMIT_RPM: "1000", REDIS_COMMAND_TIMEOUT: "200ms" });
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const t = await seedToken(s);
      expect((await raw(s, "/v1/models", { token: t.secret })).status).toBe(200);
      await stopRedisServer(server);
      const during = await Promise.all(Array.from({ length: 5 }, () => raw(s, "/v1/models", { token: t.secret })));
      expect(during.map((d) => d.status)).toEqual([200, 200, 200, 200, 200]);
      const health = (await (await fetch(`${s.apiUrl}/health`)).json()) as { status: string; checks: { redis: { status: string } } };
      expect(health).toMatchObject({ status: "degraded", checks: { redis: { status: "down" } } });
      expect(s.bus.stats().buffered).toBeGreaterThan(0);

      server = await startRedisServer(port);
      await r.connect();
      await expect.poll(async () => r.xlen("llm-proxy-events"), { timeout: 10_000, interval: 200 }).toBeGreaterThanOrEqual(6);
      await expect.poll(async () => ((await (await fetch(`${s.apiUrl}/health`)).json()) as { status: string }).status, { timeout: 15_000 }).toBe("ok");
    } finally {
      r.disconnect();
      await s.close();
      await stopRedisServer(server);
    }
  });

  it("connects over rediss:// with TLS and AUTH", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
    const [port, tlsPort] = [await freePort(), await freePort()];
    const server = await startRedisServer(port, ["--tls-port", String(tlsPort), "--tls-cert-file", path.join(dir, "cert.pem"), "--tls-key-file", path.join(dir, "key.pem"),
      "--tls-auth-clients", "no", "--requirepass", "s3cret-pass"]);
    const s = await startStack("embedded", {
      OPENAI_API_URL: fake.url,
      REDIS_URL: `rediss://default:s3cret-pass@127.0.0.1:${tlsPort}`,
      REDIS_TLS_CA_FILE: path.join(dir, "cert.pem"),
      RATE_LIMIT_RPM: "2",
    });
    try {
      const health = (await (await fetch(`${s.apiUrl}/health`)).json()) as { checks: { redis: { status: string } } };
      expect(health.checks.redis.status).toBe("up");
      const t = await seedToken(s);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "m", messages: [] } })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await s.close();
      await stopRedisServer(server);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
