import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { redisUrl } from "../../../test/services.js";
import { deleteKeys, makeEvent, memorySink, publish, spawnDispatcher, startInProcess, stopChild, streamNames, waitFor } from "./helpers.js";

const url = redisUrl();

async function ids(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text.split("\n").flatMap((line) => {
    try {
      return line ? [(JSON.parse(line) as { id: string }).id] : [];
    } catch {
      return []; // a line torn by SIGKILL; its event is redelivered
    }
  });
}

describe.skipIf(!url)("two dispatchers in one consumer group", () => {
  let redis: Redis;
  let dir: string;
  const keys: string[] = [];
  const pendingOf = async (n: { key: string; group: string }) => Number(((await redis.call("XPENDING", n.key, n.group).catch(() => [Number.NaN])) as unknown[])[0]);

  beforeAll(async () => {
    redis = new Redis(url ?? "");
    dir = await mkdtemp(join(tmpdir(), "dispatcher-group-"));
  });
  afterAll(async () => {
    await deleteKeys(redis, ...keys);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("share the load with each event delivered once, and the survivor reclaims a killed one's work", async () => {
    const n = streamNames();
    keys.push(n.key, n.deadLetterKey);
    const env = (name: string) => ({
      REDIS_URL: url ?? "",
      REDIS_STREAM_KEY: n.key,
      REDIS_CONSUMER_GROUP: n.group,
      REDIS_CONSUMER_NAME: name,
      REDIS_STREAM_BATCH_SIZE: "20",
      REDIS_STREAM_BLOCK_TIME: "100ms",
      REDIS_STREAM_CLAIM_TIME: "1s",
      DISPATCHER_SERVICE: "file",
      DISPATCHER_FILE_PATH: join(dir, `${name}.jsonl`),
    });
    const a = spawnDispatcher(env("a"));
    const b = spawnDispatcher(env("b"));
    try {
      // Normal case: both running before the events arrive.
      await waitFor(async () => Number(((await redis.call("XINFO", "GROUPS", n.key).catch(() => [])) as unknown[]).length) === 1, 20_000, "the group");
      await new Promise((r) => setTimeout(r, 1500));
      const firstWave = Array.from({ length: 3000 }, () => makeEvent());
      for (let i = 0; i < firstWave.length; i += 100) await publish(redis, n.key, firstWave.slice(i, i + 100));
      const all = async () => [...(await ids(join(dir, "a.jsonl"))), ...(await ids(join(dir, "b.jsonl")))];
      await waitFor(async () => (await all()).length >= firstWave.length && (await pendingOf(n)) === 0, 30_000, "the first wave");
      const [fromA, fromB] = [await ids(join(dir, "a.jsonl")), await ids(join(dir, "b.jsonl"))];
      expect(fromA.length).toBeGreaterThan(0);
      expect(fromB.length).toBeGreaterThan(0);
      expect((await all()).sort()).toEqual(firstWave.map((e) => e.id).sort()); // once each

      // Kill a while it holds work; b must take over what a had read but not acknowledged.
      const secondWave = Array.from({ length: 3000 }, () => makeEvent());
      await publish(redis, n.key, secondWave);
      const aBefore = fromA.length;
      await waitFor(async () => (await ids(join(dir, "a.jsonl"))).length > aBefore + 200, 20_000, "a to be busy");
      a.kill("SIGKILL");
      await stopChild(a);
      const heldByA = ((await redis.call("XPENDING", n.key, n.group, "-", "+", "1000", "a")) as unknown[]).length;
      await waitFor(async () => (await pendingOf(n)) === 0 && new Set(await all()).size === 6000, 30_000, "b to finish a's work");
      const everything = await all();
      expect(new Set(everything)).toEqual(new Set([...firstWave, ...secondWave].map((e) => e.id)));
      expect(everything.length - new Set(everything).size).toBeLessThanOrEqual(20); // only a's in-flight batch
      console.info(`group test: a held ${heldByA} pending entries at kill; reclaimed by b`);
    } finally {
      await stopChild(a, "SIGKILL");
      await stopChild(b);
    }
  });

  it("claims entries a vanished consumer read but never acknowledged", async () => {
    const n = streamNames();
    keys.push(n.key, n.deadLetterKey);
    const events = Array.from({ length: 30 }, () => makeEvent());
    await redis.call("XGROUP", "CREATE", n.key, n.group, "0", "MKSTREAM");
    await publish(redis, n.key, events);
    // A "ghost" consumer takes 30 entries and dies without acking them.
    await redis.call("XREADGROUP", "GROUP", n.group, "ghost", "COUNT", "30", "STREAMS", n.key, ">");
    const sink = memorySink();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink], claimIdleMs: 300 });
    try {
      await waitFor(() => sink.records.length === 30, 10_000, "the ghost's entries");
      await waitFor(async () => (await pendingOf(n)) === 0, 5000, "acks");
      expect(sink.records.map((r) => r.id)).toEqual(events.map((e) => e.id));
      expect(await running.metrics.registry.getSingleMetricAsString("dispatcher_events_claimed_total")).toContain(" 30");
    } finally {
      await running.stop();
    }
  });

  it("does not let a second dispatcher steal a batch that is still being retried", async () => {
    const n = streamNames();
    keys.push(n.key, n.deadLetterKey);
    const slowIds: string[] = [];
    // A sink that takes 4 s per batch, four times the claim time (generous: CI machines are busy).
    const slow = { ...memorySink(), async deliver(batch: readonly { id: string }[]) {
      await new Promise((r) => setTimeout(r, 4000));
      slowIds.push(...batch.map((r) => r.id));
      return { rejected: [], skipped: 0 };
    } };
    const fast = memorySink();
    const a = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [slow as never], consumer: "slow", claimIdleMs: 1000, batchSize: 100 });
    await new Promise((r) => setTimeout(r, 200));
    const events = Array.from({ length: 10 }, () => makeEvent());
    await publish(redis, n.key, events);
    await waitFor(async () => (await pendingOf(n)) > 0, 5000, "the slow consumer to take the batch");
    const b = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [fast], consumer: "fast", claimIdleMs: 1000 });
    try {
      await waitFor(async () => slowIds.length >= 10 && (await pendingOf(n)) === 0, 20_000, "the slow delivery");
      expect(fast.records).toEqual([]);
      expect(slowIds.sort()).toEqual(events.map((e) => e.id).sort());
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
