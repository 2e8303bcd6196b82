import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { redisUrl } from "../../../test/services.js";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { deleteKeys, makeEvent, publish, spawnDispatcher, stopChild, streamNames, waitFor } from "./helpers.js";

const url = redisUrl();

/** Ids of complete JSONL lines, and how many lines were torn by a kill mid-write. */
async function readIds(path: string): Promise<{ ids: string[]; torn: number }> {
  const text = await readFile(path, "utf8").catch(() => "");
  const ids: string[] = [];
  let torn = 0;
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      ids.push((JSON.parse(line) as { id: string }).id);
    } catch {
      torn += 1;
    }
  }
  return { ids, torn };
}

describe.skipIf(!url)("dispatcher crash recovery (real process, SIGKILL)", () => {
  let redis: Redis;
  let dir: string;
  const n = streamNames();

  beforeAll(async () => {
    redis = new Redis(url ?? "");
    dir = await mkdtemp(join(tmpdir(), "dispatcher-crash-"));
  });
  afterAll(async () => {
    await deleteKeys(redis, n.key, n.deadLetterKey);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("loses none of 10,000 events when killed mid-run and restarted; duplicates only from the killed batch", async () => {
    const batchSize = 50;
    const events = Array.from({ length: 10_000 }, () => makeEvent());
    await publish(redis, n.key, events);
    const file = join(dir, "events.jsonl");
    const env = {
      REDIS_URL: url ?? "",
      REDIS_STREAM_KEY: n.key,
      REDIS_CONSUMER_GROUP: n.group,
      // The restarted process keeps its name, so it re-reads its own pending entries first.
      REDIS_CONSUMER_NAME: "crash-test",
      REDIS_STREAM_BATCH_SIZE: String(batchSize),
      REDIS_STREAM_BLOCK_TIME: "200ms",
      DISPATCHER_SERVICE: "file",
      DISPATCHER_FILE_PATH: file,
    };

    const first = spawnDispatcher(env);
    await waitFor(async () => (await readIds(file)).ids.length >= 2000, 30_000, "the first dispatcher to be under way");
    first.kill("SIGKILL");
    await stopChild(first);
    const atKill = await readIds(file);
    expect(atKill.ids.length).toBeLessThan(events.length); // really mid-run

    const second = spawnDispatcher(env);
    try {
      await waitFor(async () => new Set((await readIds(file)).ids).size === events.length, 30_000, "every event in the file");
      await waitFor(async () => Number(((await redis.call("XPENDING", n.key, n.group)) as unknown[])[0]) === 0, 10_000, "nothing pending");
    } finally {
      expect(await stopChild(second)).toBe(0); // SIGTERM: clean exit
    }

    const { ids, torn } = await readIds(file);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    const duplicates = ids.length - new Set(ids).size;
    console.info(`crash test: ${atKill.ids.length} lines at kill, ${duplicates} duplicates, ${torn} torn line(s)`);
    expect(duplicates).toBeLessThanOrEqual(batchSize);
    expect(torn).toBeLessThanOrEqual(1);
    expect(await redis.xlen(n.deadLetterKey)).toBe(0);
  });

  it("redelivers exactly the batch a sink had received when the dispatcher was killed before acking", async () => {
    const m = streamNames();
    const events = Array.from({ length: 1000 }, () => makeEvent());
    await publish(redis, m.key, events);
    const batches: string[][] = [];
    let stallNext = false;
    let stalled = false;
    // The 5th webhook request is received (the sink "has" it) but never answered: then SIGKILL.
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        batches.push((JSON.parse(Buffer.concat(chunks).toString()) as { events: Array<{ id: string }> }).events.map((e) => e.id));
        if (batches.length === 5 && !stallNext) {
          stallNext = true;
          stalled = true;
          return;
        }
        res.writeHead(200).end();
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const env = {
      REDIS_URL: url ?? "",
      REDIS_STREAM_KEY: m.key,
      REDIS_CONSUMER_GROUP: m.group,
      REDIS_CONSUMER_NAME: "crash-webhook",
      REDIS_STREAM_BATCH_SIZE: "50",
      DISPATCHER_SERVICE: "webhook",
      DISPATCHER_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      DISPATCHER_WEBHOOK_SECRET: "s",
    };
    try {
      const first = spawnDispatcher(env);
      await waitFor(() => stalled, 30_000, "the stalled delivery");
      first.kill("SIGKILL");
      await stopChild(first);
      const killedBatch = batches[4] ?? [];
      const second = spawnDispatcher(env);
      try {
        await waitFor(async () => new Set(batches.flat()).size === events.length && Number(((await redis.call("XPENDING", m.key, m.group)) as unknown[])[0]) === 0, 30_000, "every event");
      } finally {
        await stopChild(second);
      }
      const all = batches.flat();
      const seen = new Map<string, number>();
      for (const id of all) seen.set(id, (seen.get(id) ?? 0) + 1);
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(killedBatch).toHaveLength(50);
      expect(duplicated.sort()).toEqual([...killedBatch].sort());
      expect(new Set(all)).toEqual(new Set(events.map((e) => e.id)));
    } finally {
      server.closeAllConnections();
      server.close();
      await deleteKeys(redis, m.key, m.deadLetterKey);
    }
  });
});
