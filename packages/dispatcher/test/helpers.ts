import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import type { Sink } from "../src/sinks/sink.js";
import type { DispatchRecord } from "../src/transform/record.js";
import { STREAM_FIELD, encodeEvent, type ProxyEvent } from "@llm-proxy/events";
import { sampleEvent } from "@llm-proxy/events/testing";

/** The compiled entry point `npm run dispatcher` runs (vitest's globalSetup builds it when stale). */
export const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export function makeEvent(overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  const response = { id: "chatcmpl-1", object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } };
  return sampleEvent({
    request_body: Buffer.from(JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] })).toString("base64"),
    response_body: Buffer.from(JSON.stringify(response)).toString("base64"),
    ...overrides,
  });
}

/** Unique stream, group and dead-letter names per test, deleted by `cleanup`. */
export function streamNames() {
  const key = `test:dispatcher:${randomUUID()}`;
  return { key, group: `g-${randomUUID().slice(0, 8)}`, deadLetterKey: `${key}:dead-letter` };
}

export async function publish(redis: Redis, key: string, events: readonly ProxyEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const e of events.slice(i, i + 1000)) pipe.call("XADD", key, "*", STREAM_FIELD, encodeEvent(e));
    await pipe.exec();
  }
}

/** Adds one entry as given; returns its stream id. */
export async function publishRaw(redis: Redis, key: string, fields: string[]): Promise<string> {
  return String(await redis.call("XADD", key, "*", ...fields));
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export type Received = { headers: IncomingMessage["headers"]; body: string; path: string };

/** A real HTTP sink on 127.0.0.1; `respond` picks each status (default 200). */
export async function startSinkServer(respond: (req: Received, n: number) => number = () => 200) {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), path: req.url ?? "/" };
      const status = respond(entry, n++);
      if (status >= 200 && status < 300) received.push(entry);
      res.writeHead(status, { "content-type": "application/json" }).end(status < 300 ? "{}" : '{"error":"nope"}');
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    attempts: () => n,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts the real dispatcher process (the compiled main.js) with the given env. */
export function spawnDispatcher(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--enable-source-maps", MAIN], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", DISPATCHER_HTTP_ADDR: "127.0.0.1:0", LLM_PROXY_DOTENV: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[dispatcher ${child.pid}] ${d.toString()}`));
  child.stdout?.on("data", (d: Buffer) => process.stderr.write(`[dispatcher ${child.pid}] ${d.toString()}`));
  return child;
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

export async function deleteKeys(redis: Redis, ...keys: string[]): Promise<void> {
  if (keys.length > 0) await redis.del(...keys);
}

/** Runs the consumer in this process against real Redis and real sinks; `stop` drains it. */
export async function startInProcess(options: {
  redisUrl: string;
  names: { key: string; group: string; deadLetterKey: string };
  sinks: Sink[];
  consumer?: string;
  retry?: { maxAttempts: number; baseMs: number; maxMs: number };
  claimIdleMs?: number;
  batchSize?: number;
  deadLetterMaxLen?: number;
}) {
  const { createConsumer } = await import("../src/consumer.js");
  const { createMetrics } = await import("../src/metrics.js");
  const { streamStats } = await import("../src/stream/group.js");
  const { pino } = await import("pino");
  const redis = new Redis(options.redisUrl);
  const reader = new Redis(options.redisUrl);
  const metrics = createMetrics(() => streamStats(redis, options.names));
  const consumer = createConsumer({
    redis,
    reader,
    sinks: options.sinks,
    metrics,
    logger: pino({ level: "silent" }),
    config: {
      stream: { key: options.names.key, group: options.names.group, consumer: options.consumer ?? `c-${randomUUID().slice(0, 8)}`, batchSize: options.batchSize ?? 50, blockMs: 200, claimIdleMs: options.claimIdleMs ?? 30_000 },
      deadLetterKey: options.names.deadLetterKey,
      deadLetterMaxLen: options.deadLetterMaxLen ?? 10_000,
      sinkBatchSize: 100,
      retry: options.retry ?? { maxAttempts: 3, baseMs: 20, maxMs: 100 },
    },
  });
  const controller = new AbortController();
  const loop = consumer.run(controller.signal);
  return {
    consumer,
    metrics,
    redis,
    async stop() {
      controller.abort();
      reader.disconnect();
      await loop;
      await Promise.all(options.sinks.map((s) => s.close()));
      redis.disconnect();
    },
  };
}

/** A sink that keeps what it is given, for tests that do not care about the wire. */
export function memorySink(): Sink & { records: DispatchRecord[] } {
  const records: DispatchRecord[] = [];
  return {
    name: "stdout",
    records,
    async deliver(batch) {
      records.push(...batch);
      return { rejected: [], skipped: 0 };
    },
    async close() {},
  };
}

export async function deadLetters(redis: Redis, key: string): Promise<Array<Record<string, string>>> {
  const reply = (await redis.call("XRANGE", key, "-", "+")) as Array<[string, string[]]>;
  return reply.map(([, fields]) => Object.fromEntries(fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i], fields[i + 1]]] : []))));
}
