import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { redisUrl } from "../../../test/services.js";
import { createHttpServer } from "../src/http.js";
import { streamStats } from "../src/stream/group.js";
import { deadLetters, deleteKeys, makeEvent, memorySink, publish, publishRaw, startInProcess, streamNames, waitFor } from "./helpers.js";

const url = redisUrl();

/** The consumer group lost or unusable (shared Redis, keys unique to each test), and the dead-letter cap. */
describe.skipIf(!url)("dispatcher faults: consumer group and dead letters", () => {
  let redis: Redis;
  const keys: string[] = [];
  const servers: Server[] = [];
  const names = () => {
    const n = streamNames();
    keys.push(n.key, n.deadLetterKey);
    return n;
  };
  const pending = async (n: { key: string; group: string }) => Number(((await redis.call("XPENDING", n.key, n.group).catch(() => [Number.NaN])) as unknown[])[0]);

  async function serve(running: Awaited<ReturnType<typeof startInProcess>>, n: ReturnType<typeof streamNames>) {
    const server = createHttpServer({ redis: running.redis, metrics: running.metrics, status: running.consumer.status, stats: () => streamStats(running.redis, n) });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, text: await res.text() };
    };
  }

  beforeAll(() => {
    redis = new Redis(url ?? "");
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await deleteKeys(redis, ...keys);
    redis.disconnect();
  });

  it("recreates a group deleted under it and delivers what arrived meanwhile", async () => {
    const n = names();
    const sink = memorySink();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink] });
    const get = await serve(running, n);
    try {
      const first = makeEvent();
      await publish(redis, n.key, [first]);
      await waitFor(() => sink.records.length === 1, 10_000, "the first event");
      await redis.call("XGROUP", "DESTROY", n.key, n.group);
      const later = [makeEvent(), makeEvent()];
      await publish(redis, n.key, later);
      await waitFor(() => later.every((e) => sink.records.some((r) => r.id === e.id)), 20_000, "events after the group was lost");
      await waitFor(async () => (await pending(n)) === 0, 10_000, "acks in the new group");
      expect((await get("/metrics")).text).toContain("dispatcher_group_recreated_total 1");
      await waitFor(async () => (await get("/health")).status === 200, 10_000, "/health ok");
    } finally {
      await running.stop();
    }
  });

  it("/health says 503 with the reason while the loop cannot read, /live stays 200, and it recovers", async () => {
    const n = names();
    // A key of the wrong type: Redis answers (PING is fine) but the group can never be made.
    await redis.set(n.key, "not a stream");
    const sink = memorySink();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink] });
    const get = await serve(running, n);
    try {
      await waitFor(async () => (await get("/health")).status === 503, 10_000, "/health 503");
      const body = JSON.parse((await get("/health")).text) as { problems: string[]; reason: string; redis: string };
      expect(body.problems).toContain("delivery_failing");
      expect(body.reason).toMatch(/WRONGTYPE/);
      expect(body.redis).toBe("ok");
      expect((await get("/live")).status).toBe(200);

      await redis.del(n.key);
      const event = makeEvent();
      await waitFor(async () => (await redis.exists(n.key)) === 1, 20_000, "the group to be created");
      await publish(redis, n.key, [event]);
      await waitFor(() => sink.records.some((r) => r.id === event.id), 20_000, "delivery once the key is usable");
      await waitFor(async () => (await get("/health")).status === 200, 10_000, "/health ok");
    } finally {
      await running.stop();
    }
  });

  it("caps the dead-letter stream, keeping the newest, and counts what it trimmed", async () => {
    const n = names();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [memorySink()], deadLetterMaxLen: 5, batchSize: 4 });
    const get = await serve(running, n);
    try {
      for (let i = 0; i < 12; i++) await publishRaw(redis, n.key, ["data", `garbage ${i}`]);
      await waitFor(async () => (await pending(n)) === 0 && (await redis.xlen(n.key)) === 12 && (await get("/metrics")).text.includes("dispatcher_events_acked_total 12"), 20_000, "12 entries settled");
      const kept = await deadLetters(redis, n.deadLetterKey);
      expect(kept.map((d) => d.data)).toEqual([7, 8, 9, 10, 11].map((i) => `garbage ${i}`));
      const metrics = (await get("/metrics")).text;
      expect(metrics).toContain("dispatcher_dead_letters_trimmed_total 7");
      expect(metrics).toContain("dispatcher_dead_letter_length 5");
      expect(metrics).toContain('dispatcher_events_dead_lettered_total{reason="malformed_json"} 12');
    } finally {
      await running.stop();
    }
  });
});
