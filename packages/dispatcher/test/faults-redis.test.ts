import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { freePort, startRedisServer, stopRedisServer } from "../../proxy/test/redis-server.js";
import { makeEvent, publish, spawnDispatcher, stopChild, waitFor } from "./helpers.js";

/**
 * The dispatcher against a throwaway redis-server that is not up yet, goes away, and comes back
 * empty (no persistence): it must stay up (/live), say so (/health) and deliver once Redis is back.
 */
describe("dispatcher through Redis outages", () => {
  const spawned: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of spawned) await (child.pid && child.exitCode === null && child.signalCode === null ? stopChild(child, "SIGKILL") : undefined);
  });

  /** Starts the real process with only Redis and its HTTP port set: the stdout sink is the default. */
  async function start(redisPort: number, extraEnv: Record<string, string> = {}) {
    const httpPort = await freePort();
    const child = spawnDispatcher({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, DISPATCHER_HTTP_ADDR: `127.0.0.1:${httpPort}`, REDIS_STREAM_BLOCK_TIME: "200ms", ...extraEnv });
    spawned.push(child);
    let output = "";
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const delivered = new Set<string>();
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) delivered.add((JSON.parse(line) as { id: string }).id);
    });
    const base = `http://127.0.0.1:${httpPort}`;
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`).catch(() => null);
      return res ? { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> } : { status: 0, body: {} };
    };
    const metrics = async () => (await fetch(`${base}/metrics`)).text();
    return { child, delivered, get, metrics, output: () => output, alive: () => child.exitCode === null && child.signalCode === null };
  }

  it("starts while Redis is down, answers /live, and delivers once Redis comes up", async () => {
    const port = await freePort();
    // As on ECS: the password arrives as its own variable and is joined into a URL without one.
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const d = await start(port, { REDIS_PASSWORD: password, LOG_LEVEL: "info" });
    await waitFor(async () => (await d.get("/live")).status === 200, 30_000, "/live");
    const down = await d.get("/health");
    expect(down.status).toBe(503);
    expect(down.body.problems).toEqual(expect.arrayContaining(["redis"]));
    // Several failed turns of the loop later it is still running.
    await new Promise((r) => setTimeout(r, 2000));
    expect(d.alive()).toBe(true);

    const server = await startRedisServer(port, ["--requirepass", password]);
    const redis = new Redis(`redis://default:${password}@127.0.0.1:${port}`);
    try {
      const events = Array.from({ length: 5 }, () => makeEvent());
      await publish(redis, "llm-proxy-events", events);
      await waitFor(() => events.every((e) => d.delivered.has(e.id)), 40_000, "delivery after Redis came up");
      await waitFor(async () => (await d.get("/health")).status === 200, 20_000, "/health ok");
      expect(d.output()).toContain("dispatcher started");
      expect(d.output()).not.toContain(password);
    } finally {
      redis.disconnect();
      await stopChild(d.child);
      await stopRedisServer(server);
    }
  });

  it("recreates its consumer group after Redis restarts empty, keeps delivering, /live 200 throughout", async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const d = await start(port);
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    redis.on("error", () => undefined);
    try {
      const before = [makeEvent(), makeEvent()];
      await waitFor(async () => (await d.get("/health")).status === 200, 30_000, "/health ok");
      await publish(redis, "llm-proxy-events", before);
      await waitFor(() => before.every((e) => d.delivered.has(e.id)), 30_000, "delivery before the restart");

      await stopRedisServer(server);
      await waitFor(async () => (await d.get("/health")).status === 503, 20_000, "/health 503 during the outage");
      expect((await d.get("/live")).status).toBe(200);

      server = await startRedisServer(port); // no persistence: the stream and its group are gone
      const after = Array.from({ length: 3 }, () => makeEvent());
      await waitFor(async () => (await redis.ping().catch(() => null)) === "PONG", 20_000, "the client to reconnect");
      await publish(redis, "llm-proxy-events", after);
      await waitFor(() => after.every((e) => d.delivered.has(e.id)), 40_000, "delivery after the restart");
      expect((await d.get("/live")).status).toBe(200);
      await waitFor(async () => (await d.get("/health")).status === 200, 20_000, "/health ok again");
      const pending = async () => Number(((await redis.call("XPENDING", "llm-proxy-events", "llm-proxy-dispatchers")) as unknown[])[0]);
      await waitFor(async () => (await pending()) === 0, 10_000, "acks in the recreated group");
      expect(await d.metrics()).toContain("dispatcher_group_recreated_total 1");
      expect(d.alive()).toBe(true);
    } finally {
      redis.disconnect();
      await stopChild(d.child);
      await stopRedisServer(server);
    }
  });
});
