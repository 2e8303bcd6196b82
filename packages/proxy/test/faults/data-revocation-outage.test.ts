import type { ChildProcess } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { postgresUrl } from "../../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { freshPostgresDatabase, startStack, type Stack } from "../harness.js";
import { freePort, startRedisServer, stopRedisServer } from "../redis-server.js";

const pg = postgresUrl();

/** A loopback TCP relay to Redis that the test can cut (existing connections reset, new ones refused). */
async function startRelay(targetPort: number) {
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = net.connect(targetPort, "127.0.0.1");
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", end);
      s.on("close", end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const models = async (s: Stack, secret: string) => {
  const res = await raw(s, "/v1/models", { token: secret });
  return (res.body as { code?: string }).code ?? res.status;
};

describe.skipIf(!pg)("revocation across instances survives a Redis outage (issue 12.6)", () => {
  let fake: FakeUpstream;
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let redisPort = 0;
  let redis: ChildProcess | undefined;
  let relayA: Awaited<ReturnType<typeof startRelay>>;
  let relayB: Awaited<ReturnType<typeof startRelay>>;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    db = await freshPostgresDatabase();
    redisPort = await freePort();
    redis = await startRedisServer(redisPort);
    relayA = await startRelay(redisPort);
    relayB = await startRelay(redisPort);
    const env = { OPENAI_API_URL: fake.url, DATABASE_URL: db.url, REDIS_COMMAND_TIMEOUT: "300ms", TOKEN_CACHE_TTL: "10m", LLM_PROXY_ACTIVE_CACHE_TTL: "10m" };
    // Each instance reaches Redis through its own relay, so either can be cut off alone.
    a = await startStack("postgres", { ...env, REDIS_URL: `redis://127.0.0.1:${relayA.port}` });
    b = await startStack("postgres", { ...env, REDIS_URL: `redis://127.0.0.1:${relayB.port}` });
  });
  // A test that failed with Redis down or a relay cut must not fail the ones after it.
  beforeEach(async () => {
    if (!redis || redis.exitCode !== null || redis.signalCode !== null) redis = await startRedisServer(redisPort);
    relayA.restore();
    relayB.restore();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (redis) await stopRedisServer(redis);
    await relayA?.close();
    await relayB?.close();
    await db?.drop();
    await fake?.close();
  });

  it("B refuses a token revoked (and a project deactivated) on A while Redis was down, within seconds of its return", async () => {
    const revoked = await seedToken(a);
    const deactivated = await seedToken(a);
    expect(await models(b, revoked.secret)).toBe(200);
    expect(await models(b, deactivated.secret)).toBe(200);

    if (redis) await stopRedisServer(redis);
    expect((await a.manage(`/manage/tokens/${revoked.tokenId}`, { method: "DELETE" })).status).toBe(204);
    expect((await a.manage(`/manage/projects/${deactivated.projectId}`, { method: "PATCH", json: { is_active: false } })).status).toBe(200);
    expect(await models(a, revoked.secret)).toBe("token_inactive");
    // Nothing could reach B: it still answers from its cache (what this test is about).
    expect(await models(b, revoked.secret)).toBe(200);

    redis = await startRedisServer(redisPort);
    await expect.poll(() => models(b, revoked.secret), { timeout: 8000, interval: 200 }).toBe("token_inactive");
    await expect.poll(() => models(b, deactivated.secret), { timeout: 8000, interval: 200 }).toBe("project_inactive");
  });

  it("B refuses a token revoked on A while only A was cut off from Redis, once A reaches it again", async () => {
    const t = await seedToken(a);
    await expect.poll(() => models(b, t.secret), { timeout: 8000, interval: 200 }).toBe(200);

    relayA.cut();
    expect((await a.manage(`/manage/tokens/${t.tokenId}`, { method: "DELETE" })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await models(b, t.secret)).toBe(200);

    relayA.restore();
    await expect.poll(() => models(b, t.secret), { timeout: 8000, interval: 200 }).toBe("token_inactive");
  });

  it("B refuses a token revoked on A while only B was cut off from Redis, once B reaches it again", async () => {
    const t = await seedToken(a);
    await expect.poll(() => models(b, t.secret), { timeout: 8000, interval: 200 }).toBe(200);

    relayB.cut();
    expect((await a.manage(`/manage/tokens/${t.tokenId}`, { method: "DELETE" })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await models(b, t.secret)).toBe(200);

    relayB.restore();
    await expect.poll(() => models(b, t.secret), { timeout: 8000, interval: 200 }).toBe("token_inactive");
  });
});

describe("TOKEN_CACHE_TTL is bounded (issue 12.6)", () => {
  it.each(["0", "500ms", "11m", "1h"])("refuses %s", (v) => {
    expect(() => loadConfig({ TOKEN_CACHE_TTL: v, DATA_DIR: "/tmp/llm-proxy-unused" })).toThrow("TOKEN_CACHE_TTL: expected a duration from 1s to 10m");
  });
  it("accepts 1s to 10m, 5m by default", () => {
    expect(loadConfig({ DATA_DIR: "/tmp/llm-proxy-unused" }).gateway.tokenCache.ttlMs).toBe(300_000);
    expect(loadConfig({ TOKEN_CACHE_TTL: "10m", DATA_DIR: "/tmp/llm-proxy-unused" }).gateway.tokenCache.ttlMs).toBe(600_000);
  });
});
