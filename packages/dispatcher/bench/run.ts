/**
 * Dispatcher throughput: a publisher in this process XADDs events at full speed (holding the
 * group's backlog under BACKLOG so Redis memory stays bounded), the real dispatcher process
 * consumes them, first into the file sink, then into a loopback webhook. Figures come from the
 * dispatcher's own /metrics: delivered events per second and resident memory over the run.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 BENCH_SECONDS=60 npm run bench:dispatcher
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { STREAM_FIELD, encodeEvent } from "@llm-proxy/events";
import { makeEvent } from "../test/helpers.js";

const REDIS = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const BATCH = process.env.BENCH_BATCH ?? "100";
const BACKLOG = 20_000;
const WARMUP_MS = 3000;
const PLACEHOLDER = "00000000-0000-4000-8000-000000000000";
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

type Sample = { t: number; delivered: number; rss: number; cpu: number };

async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as AddressInfo).port;
  s.close();
  return port;
}

async function scrape(port: number): Promise<{ delivered: number; rss: number; cpu: number } | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const delivered = [...text.matchAll(/^dispatcher_events_delivered_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    const rss = Number(/^dispatcher_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0);
    const cpu = Number(/^dispatcher_process_cpu_seconds_total (\S+)/m.exec(text)?.[1] ?? 0);
    return { delivered, rss, cpu };
  } catch {
    return undefined;
  }
}

/** Publishes until `stop` is set, in pipelines of 500, pausing while the backlog is full. */
async function publishLoop(redis: Redis, key: string, group: string, stop: { done: boolean }): Promise<number> {
  // Pre-encoded events with a fresh id spliced in: the publisher must not be what the run measures.
  const templates = Array.from({ length: 1000 }, () => encodeEvent({ ...makeEvent(), id: PLACEHOLDER }).split(PLACEHOLDER));
  let published = 0;
  while (!stop.done) {
    const info = (await redis.call("XINFO", "GROUPS", key).catch(() => [])) as unknown[][];
    const fields = info[0] ?? [];
    const lag = Number(fields[fields.indexOf("lag") + 1] ?? 0) + Number(fields[fields.indexOf("pending") + 1] ?? 0);
    if (info.length > 0 && lag > BACKLOG) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const pipe = redis.pipeline();
    for (let i = 0; i < 500; i++) {
      const [head = "", tail = ""] = templates[(published + i) % templates.length] ?? [];
      pipe.call("XADD", key, "MAXLEN", "~", "200000", "*", STREAM_FIELD, head + crypto.randomUUID() + tail);
    }
    await pipe.exec();
    published += 500;
  }
  return published;
}

async function phase(name: string, sinkEnv: Record<string, string>, seconds: number): Promise<void> {
  const redis = new Redis(REDIS);
  const key = `bench:dispatcher:${crypto.randomUUID()}`;
  const group = "bench";
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { PATH: process.env.PATH ?? "", LLM_PROXY_DOTENV: "false", REDIS_URL: REDIS, REDIS_STREAM_KEY: key, REDIS_CONSUMER_GROUP: group, REDIS_CONSUMER_NAME: "bench", REDIS_STREAM_BATCH_SIZE: BATCH, DISPATCHER_HTTP_ADDR: `127.0.0.1:${port}`, LOG_LEVEL: "warn", ...sinkEnv },
    stdio: ["ignore", "ignore", "inherit"],
  });
  while (!(await scrape(port))) await new Promise((r) => setTimeout(r, 100));
  const stop = { done: false };
  const publishing = publishLoop(redis, key, group, stop);
  const samples: Sample[] = [];
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await scrape(port);
    if (s) samples.push({ t: Date.now() - started, ...s });
  }
  stop.done = true;
  const published = await publishing;
  child.kill("SIGTERM");
  await once(child, "exit");
  await redis.del(key, `${key}:dead-letter`);
  redis.disconnect();

  const steady = samples.filter((s) => s.t >= WARMUP_MS);
  const first = steady[0];
  const last = steady[steady.length - 1];
  if (!first || !last || last.t === first.t) throw new Error(`${name}: not enough samples`);
  const rate = ((last.delivered - first.delivered) * 1000) / (last.t - first.t);
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  const rss = steady.map((s) => s.rss);
  const cpu = (((last.cpu - first.cpu) * 1000) / (last.t - first.t)) * 100;
  console.log(
    `${name.padEnd(8)} ${Math.round(rate).toLocaleString("en")} events/s over ${((last.t - first.t) / 1000).toFixed(0)} s (after ${WARMUP_MS / 1000} s warm-up), ` +
      `${last.delivered.toLocaleString("en")} delivered of ${published.toLocaleString("en")} published; ` +
      `dispatcher CPU ${cpu.toFixed(0)} %, RSS start ${mb(first.rss)} MB, max ${mb(Math.max(...rss))} MB, end ${mb(last.rss)} MB`,
  );
}

const dir = await mkdtemp(join(tmpdir(), "dispatcher-bench-"));
const webhook = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200).end());
});
webhook.listen(0, "127.0.0.1");
await once(webhook, "listening");
try {
  console.log(`dispatcher bench: ${SECONDS} s total, batch ${BATCH}, backlog cap ${BACKLOG}, ~1 KB events, Redis ${REDIS}`);
  await phase("file", { DISPATCHER_SERVICE: "file", DISPATCHER_FILE_PATH: join(dir, "events.jsonl") }, SECONDS / 2);
  await phase("webhook", { DISPATCHER_SERVICE: "webhook", DISPATCHER_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/`, DISPATCHER_WEBHOOK_SECRET: "bench" }, SECONDS / 2);
} finally {
  webhook.close();
  await rm(dir, { recursive: true, force: true });
}
