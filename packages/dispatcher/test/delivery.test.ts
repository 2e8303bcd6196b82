import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { redisUrl } from "../../../test/services.js";
import { STREAM_FIELD } from "@llm-proxy/events";
import { createHttpServer } from "../src/http.js";
import { streamStats } from "../src/stream/group.js";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createHeliconeSink } from "../src/sinks/helicone.js";
import { createLunarySink } from "../src/sinks/lunary.js";
import { verifyWebhook } from "../src/sinks/signature.js";
import { createWebhookSink } from "../src/sinks/webhook.js";
import { deadLetters, deleteKeys, makeEvent, memorySink, publish, publishRaw, startInProcess, startSinkServer, streamNames, waitFor } from "./helpers.js";

const url = redisUrl();

describe.skipIf(!url)("dispatcher delivery (real Redis, loopback sinks)", () => {
  let redis: Redis;
  const keys: string[] = [];
  const names = () => {
    const n = streamNames();
    keys.push(n.key, n.deadLetterKey);
    return n;
  };
  // Before the consumer created its group there is nothing settled yet: report "not done".
  const pending = async (n: { key: string; group: string }) =>
    Number(((await redis.call("XPENDING", n.key, n.group).catch(() => [Number.NaN])) as unknown[])[0]);

  beforeAll(() => {
    redis = new Redis(url ?? "");
  });
  afterAll(async () => {
    await deleteKeys(redis, ...keys);
    redis.disconnect();
  });

  it("retries a sink that answers 500 and acks once it answers 200", async () => {
    const server = await startSinkServer((_req, n) => (n < 2 ? 500 : 200));
    const n = names();
    const events = [makeEvent(), makeEvent()];
    await publish(redis, n.key, events);
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [createLunarySink({ url: server.url, apiKey: "k", timeoutMs: 5000, verbose: false })] });
    try {
      await waitFor(() => server.received.length === 1, 10_000, "the third attempt to land");
      await waitFor(async () => (await pending(n)) === 0, 5000, "the batch to be acked");
      expect(server.attempts()).toBe(3);
      const body = JSON.parse(server.received[0]?.body ?? "[]") as Array<{ runId: string; event: string; tokensUsage?: unknown }>;
      expect(body.map((e) => `${e.runId}:${e.event}`)).toEqual(events.flatMap((e) => [`${e.id}:start`, `${e.id}:end`]));
      expect(server.received[0]?.headers.authorization).toBe("Bearer k");
      expect(await deadLetters(redis, n.deadLetterKey)).toEqual([]);
      expect(await running.metrics.registry.getSingleMetricAsString("dispatcher_delivery_retries_total")).toContain('sink="lunary"} 2');
    } finally {
      await running.stop();
      await server.close();
    }
  });

  it("dead-letters an event Helicone refuses with 400 and delivers the rest", async () => {
    const bad = makeEvent({ project_id: "refuse-me" });
    const good = makeEvent();
    const server = await startSinkServer((req) => (req.body.includes("refuse-me") ? 400 : 200));
    const n = names();
    await publish(redis, n.key, [bad, good]);
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [createHeliconeSink({ url: server.url, apiKey: "hk", timeoutMs: 5000 })] });
    try {
      await waitFor(async () => (await pending(n)) === 0 && (await deadLetters(redis, n.deadLetterKey)).length === 1, 10_000, "settling");
      const [dead] = await deadLetters(redis, n.deadLetterKey);
      expect(dead?.reason).toMatch(/^rejected:helicone: helicone answered 400/);
      expect(dead?.sink).toBe("helicone");
      expect(JSON.parse(dead?.data ?? "{}").id).toBe(bad.id);
      expect(server.attempts()).toBe(2); // a 400 is not retried
      expect(server.received).toHaveLength(1);
      const payload = JSON.parse(server.received[0]?.body ?? "{}");
      expect(payload.providerRequest.meta.request_id).toBe(good.request_id);
      expect(payload.providerResponse.json.usage.total_tokens).toBe(4);
      expect(payload.timing.startTime.seconds).toBe(Math.floor(Date.parse(good.timestamp) / 1000));
    } finally {
      await running.stop();
      await server.close();
    }
  });

  it("dead-letters a batch after the last retry instead of blocking the stream", async () => {
    const server = await startSinkServer(() => 503);
    const n = names();
    await publish(redis, n.key, [makeEvent()]);
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [createLunarySink({ url: server.url, apiKey: "k", timeoutMs: 5000, verbose: false })] });
    try {
      await waitFor(async () => (await deadLetters(redis, n.deadLetterKey)).length === 1, 10_000, "the dead letter");
      expect(server.attempts()).toBe(3);
      expect((await deadLetters(redis, n.deadLetterKey))[0]?.reason).toMatch(/^retries_exhausted:lunary: 3 attempts/);
      await waitFor(async () => (await pending(n)) === 0, 5000, "the ack");
    } finally {
      await running.stop();
      await server.close();
    }
  });

  it("signs webhook batches so the receiver can verify them and detect tampering", async () => {
    const server = await startSinkServer();
    const n = names();
    const events = [makeEvent(), makeEvent(), makeEvent()];
    await publish(redis, n.key, events);
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [createWebhookSink({ url: server.url, secret: "s3cret", timeoutMs: 5000 })] });
    try {
      await waitFor(() => server.received.length === 1, 10_000, "the webhook");
      const { headers, body } = server.received[0] ?? { headers: {} as Record<string, string>, body: "" };
      const signed = { timestamp: String(headers["x-llm-proxy-timestamp"]), signature: String(headers["x-llm-proxy-signature"]) };
      expect(verifyWebhook("s3cret", signed, body)).toBe(true);
      expect(verifyWebhook("s3cret", signed, body.replace("proj-test", "proj-evil"))).toBe(false);
      expect(verifyWebhook("wrong", signed, body)).toBe(false);
      const parsed = JSON.parse(body) as { events: Array<{ id: string; project_id: string; token_id: string; model: string; usage: unknown; duration_ms: number }> };
      expect(parsed.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(parsed.events[0]).toMatchObject({ project_id: "proj-test", token_id: "tok-test", model: "gpt-4o-mini", usage: { total_tokens: 4, source: "event" }, duration_ms: 20 });
    } finally {
      await running.stop();
      await server.close();
    }
  });

  it("delivers events the original Go proxy left on the stream, transformed like ours", async () => {
    const n = names();
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    const request = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] };
    const response = { id: "chatcmpl-9", object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "Hi" } }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } };
    const original = (requestId: string) => ({
      LogID: 0, RequestID: requestId, Method: "POST", Path: "/v1/chat/completions", Status: 200, Duration: 250_000_000,
      ResponseHeaders: { "Content-Type": ["application/json"] }, ResponseBody: b64(response), RequestBody: b64(request),
    });
    const ids: string[] = [randomUUID(), randomUUID()];
    const firstEntry = await publishRaw(redis, n.key, [STREAM_FIELD, JSON.stringify(original(ids[0] ?? ""))]);
    await publish(redis, n.key, [makeEvent()]);
    await publishRaw(redis, n.key, [STREAM_FIELD, JSON.stringify(original(ids[1] ?? ""))]);
    const sink = memorySink();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink] });
    try {
      await waitFor(() => sink.records.length === 3, 10_000, "all three events");
      await waitFor(async () => (await pending(n)) === 0, 5000, "the batch to be acked");
      const fromGo = sink.records.filter((r) => ids.includes(r.id));
      expect(fromGo.map((r) => r.request_id)).toEqual(ids);
      expect(fromGo[0]).toMatchObject({
        method: "POST", path: "/v1/chat/completions", status: 200, duration_ms: 250, model: "gpt-4o-mini",
        request, response, usage: expect.objectContaining({ prompt_tokens: 3, completion_tokens: 1 }),
      });
      // The original event carries no time: the entry's id is when it was published, the response's end.
      expect(Date.parse(fromGo[0]?.timestamp ?? "")).toBe(Number(firstEntry.split("-")[0]) - 250);
      expect(await deadLetters(redis, n.deadLetterKey)).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  it("parks malformed entries and unknown schema versions and keeps consuming", async () => {
    const n = names();
    const sink = memorySink();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink] });
    try {
      await publishRaw(redis, n.key, ["data", "{not json"]);
      await publishRaw(redis, n.key, ["data", JSON.stringify({ ...makeEvent(), schema_version: 99 })]);
      await publishRaw(redis, n.key, ["other", "x"]);
      await publishRaw(redis, n.key, ["data", JSON.stringify({ ...makeEvent(), status: "teapot" })]);
      const good = makeEvent();
      await publish(redis, n.key, [good]);
      await waitFor(() => sink.records.length === 1, 10_000, "the valid event");
      await waitFor(async () => (await pending(n)) === 0, 5000, "everything acked");
      const reasons = (await deadLetters(redis, n.deadLetterKey)).map((d) => d.reason);
      expect(reasons).toEqual(["malformed_json", "unknown_schema_version:99", 'missing_field: no "data" field', expect.stringMatching(/^invalid_event:status:/)]);
      expect(sink.records[0]?.id).toBe(good.id);
      expect(running.consumer.status().running).toBe(true);
    } finally {
      await running.stop();
    }
  });

  it("replays dead letters onto the stream where they are delivered", async () => {
    const n = names();
    const event = makeEvent();
    const { replayDeadLetters } = await import("../src/replay.js");
    await redis.call("XADD", n.deadLetterKey, "*", "data", JSON.stringify(event), "reason", "retries_exhausted:webhook: down");
    await redis.call("XADD", n.deadLetterKey, "*", "data", "", "reason", "missing_field");
    expect(await replayDeadLetters(redis, n.deadLetterKey, n.key)).toEqual({ replayed: 1, kept: 1 });
    const sink = memorySink();
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink] });
    try {
      await waitFor(() => sink.records.length === 1, 10_000, "the replayed event");
      expect(sink.records[0]?.id).toBe(event.id);
      expect(await redis.xlen(n.deadLetterKey)).toBe(1);
    } finally {
      await running.stop();
    }
  });

  it("serves /health and Prometheus /metrics with the stream figures", async () => {
    const n = names();
    const sink = memorySink();
    await publish(redis, n.key, [makeEvent(), makeEvent()]);
    await publishRaw(redis, n.key, ["data", "garbage"]);
    const running = await startInProcess({ redisUrl: url ?? "", names: n, sinks: [sink] });
    const server = createHttpServer({ redis: running.redis, metrics: running.metrics, status: running.consumer.status, stats: () => streamStats(running.redis, n) });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await waitFor(async () => (await pending(n)) === 0 && sink.records.length === 2, 10_000, "delivery");
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", redis: "ok", consumer: { running: true }, stream: { length: 3, pending: 0, lag: 0 } });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain("dispatcher_events_consumed_total 3");
      expect(metrics).toContain('dispatcher_events_delivered_total{sink="stdout"} 2');
      expect(metrics).toContain('dispatcher_events_dead_lettered_total{reason="malformed_json"} 1');
      expect(metrics).toContain("dispatcher_stream_length 3");
      expect(metrics).toContain("dispatcher_pending_entries 0");
      expect(metrics).toMatch(/dispatcher_sink_latency_seconds_count\{sink="stdout"\} 1/);
      await running.stop();
      const stopped = await fetch(`${base}/health`);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toMatchObject({ problems: expect.arrayContaining(["consumer_stopped"]) });
    } finally {
      server.close();
    }
  });
});
