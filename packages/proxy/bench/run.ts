/**
 * `npm run bench`: the data plane against a bare undici pipe (SPEC §10), in one run. One fake
 * upstream; the reference pipe (pipe.ts), the proxy embedded and the proxy on PostgreSQL + Redis
 * (events to a Redis stream) each run in their own process pinned to core 1 (taskset), the
 * upstream and the load generator share core 0, PostgreSQL and Redis are not pinned. The loads
 * are interleaved (the order rotates each run) so that drift on a shared machine hits every
 * column alike; every figure is a ratio or a difference taken within one run, and the table
 * shows their median over BENCH_RUNS runs.
 *
 * Env: BENCH_RUNS (3), BENCH_DURATION seconds per load (8), BENCH_CONNECTIONS (50),
 * BENCH_SEQUENTIAL requests per sequential latency run (2000), BENCH_EVENTS=0 to measure without
 * request events; DATABASE_URL and REDIS_URL for the PostgreSQL + Redis column (skipped without
 * them; point them at a database of its own, the bench creates a project and tokens there);
 * BENCH_PEER, the base URL of a running Portkey gateway (pin it to core 1 yourself), for the
 * "vs Portkey" ratio; BENCH_AGENT_PIPE=1 adds the former reference, a `node:http` Agent pipe;
 * BENCH_FLOOR=1 adds the required-work floor (floor.ts): the contract's per-request work and
 * nothing else, in one function, the nearest the proxy's throughput can come to the pipe (with
 * REDIS_URL also a second floor whose events go to a Redis stream).
 * BENCH_PROXY: the proxy's command line (default what `npm start` runs, the compiled build);
 * BENCH_BASELINE: a second one (e.g. an older build) measured alongside, both modes, for A/B.
 *
 * `--soak 10m` (or `600s`) runs only a soak instead, on PostgreSQL + Redis when DATABASE_URL is
 * set, else embedded: JSON and SSE load in turns for that long, RSS sampled every
 * BENCH_SOAK_SAMPLE seconds (10), and a verdict on whether it stayed flat.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const MT = "bench-management-token-0123456789";
const hasTaskset = spawnSync("taskset", ["-V"]).status === 0;
const pin = (core: number, cmd: string[]) => (hasTaskset ? ["taskset", "-c", String(core), ...cmd] : cmd);
const tsx = (file: string) => [process.execPath, "--import", "tsx", file];

type Headers = Record<string, string>;

function start(cmd: string[], env: Record<string, string | undefined>, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  const [bin, ...args] = cmd as [string, ...string[]];
  // No .env: the bench sets every variable itself (embedded runs must not inherit DATABASE_URL).
  const proc = spawn(bin, args, { cwd: ROOT, env: { LLM_PROXY_DOTENV: "false", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = out.match(ready);
      if (m) resolve({ proc, match: m });
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`${bin} exited with ${code}:\n${out}`)));
  });
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system, all threads) a process has used, from /proc; 0 where unavailable. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** `--soak 10m` / `--soak 90s` / `--soak 600` (seconds) → seconds; undefined without the flag. */
function soakSeconds(argv: string[]): number | undefined {
  const i = argv.indexOf("--soak");
  if (i === -1) return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(argv[i + 1] ?? "");
  if (!m) throw new Error(`--soak wants a duration like 10m or 600s, got "${argv[i + 1] ?? ""}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? "s") as "s" | "m" | "h"];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

/**
 * Flat: the floor of the last fifth of the samples (its lowest) is at most 10 MB or 5 % above the
 * floor of the first fifth (taken after warm-up, so pools and caches are already full). Under
 * load RSS saws up and down with garbage collection (tens of MB between two samples, JSON and SSE
 * turns apart), so where one sample lands says little; a leak raises the floor that every
 * collection comes back to. The medians are printed beside it.
 */
function flatness(samples: number[]) {
  const n = Math.max(1, Math.floor(samples.length / 5));
  const [head, tail] = [samples.slice(0, n), samples.slice(-n)];
  const first = Math.min(...head);
  const last = Math.min(...tail);
  return { first, last, firstMedian: median(head), lastMedian: median(tail), flat: last - first <= Math.max(10, first * 0.05) };
}

async function load(url: string, headers: Headers, body: string, duration = DURATION) {
  const r = await autocannon({ url, method: "POST", connections: CONNECTIONS, duration, headers, body });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, errors: r.errors + r.timeouts + r.non2xx };
}

async function soak(seconds: number, pid: number, loads: [string, string, Headers][], body: string): Promise<string[]> {
  const every = Number(process.env.BENCH_SOAK_SAMPLE ?? 10);
  const samples: number[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push(rssMb(pid)), every * 1000);
  let requests = 0;
  let errors = 0;
  try {
    for (let turn = 0; Date.now() - t0 < seconds * 1000; turn++) {
      const [, url, headers] = loads[turn % loads.length] as [string, string, Headers];
      const r = await load(url, headers, body, Math.max(1, Math.min(30, Math.ceil(seconds - (Date.now() - t0) / 1000))));
      requests += r.requests;
      errors += r.errors;
    }
  } finally {
    clearInterval(sampler);
  }
  const v = flatness(samples);
  return [
    `soak: ${seconds} s of ${loads.map((l) => l[0]).join(" / ")} in 30 s turns, ${CONNECTIONS} connections, ${requests} requests, ${errors} errors`,
    `RSS every ${every} s (MB): ${samples.map((mb) => mb.toFixed(0)).join(" ")}`,
    `RSS floor (lowest sample) of the first fifth ${v.first.toFixed(0)} MB, of the last fifth ${v.last.toFixed(0)} MB: ${v.flat ? "flat" : "GROWING"}` +
      ` (medians ${v.firstMedian.toFixed(0)} and ${v.lastMedian.toFixed(0)} MB, max ${Math.max(...samples).toFixed(0)} MB)`,
  ];
}

/** Sequential keep-alive requests timed with hrtime: latency added to one call. */
async function sequential(url: string, headers: Headers, body: string, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const u = new URL(url);
  const total: number[] = [];
  const ttfb: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
        if ((res.statusCode ?? 0) >= 400) errors++;
        let first = true;
        res.on("data", () => {
          if (first) ttfb.push(Number(process.hrtime.bigint() - t0) / 1e6);
          first = false;
        });
        res.on("end", () => {
          total.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  }
  agent.destroy();
  return { p50: pct(total, 0.5), p99: pct(total, 0.99), ttfb: pct(ttfb, 0.5), errors };
}

interface Proxy {
  name: string;
  proc: ChildProcess;
  api: string;
  /** A token without limits, and one with a (never reached) rate limit. */
  token: string;
  limited: string;
  rss: { before: number; max: number; after: number };
  cleanup(): Promise<void>;
}

const PROXY_CMD = process.env.BENCH_PROXY?.split(/\s+/).filter(Boolean) ?? [process.execPath, "--enable-source-maps", "packages/proxy/dist/main.js"];
/** A second proxy command (e.g. a build of an older commit) measured in the same run, for A/B. */
const BASELINE_CMD = process.env.BENCH_BASELINE?.split(/\s+/).filter(Boolean);

/** Starts a proxy pinned to core 1 and seeds a project and two tokens through /manage. */
async function startProxy(name: string, upstream: string, services: { databaseUrl: string; redisUrl: string } | undefined, cmd = PROXY_CMD): Promise<Proxy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-bench-"));
  const run = `bench-${Date.now()}`;
  // The bench's own environment may name services: the embedded proxy must not see them.
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...base } = process.env;
  const env = {
    ...base,
    LISTEN_ADDR: "127.0.0.1:0",
    ADMIN_UI_ENABLED: "false",
    DATA_DIR: dir,
    MANAGEMENT_TOKEN: MT,
    OPENAI_API_URL: upstream,
    LOG_LEVEL: "warn",
    ...(services
      ? { DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl, REDIS_KEY_PREFIX: `${run}:`, REDIS_STREAM_KEY: `${run}-events` }
      : { FILE_EVENT_LOG: path.join(dir, "events.jsonl") }),
    ...(process.env.BENCH_EVENTS === "0" ? { OBSERVABILITY_ENABLED: "false" } : {}),
  };
  const { proc, match } = await start(pin(1, cmd), env, /API, \/v1 and \/manage: (\S+)/);
  const api = match[1] as string;
  const auth = { authorization: `Bearer ${MT}`, "content-type": "application/json" };
  const post = async <T>(p: string, body: unknown) => (await (await fetch(`${api}${p}`, { method: "POST", headers: auth, body: JSON.stringify(body) })).json()) as T;
  // A new name each run: a PostgreSQL database keeps the last run's projects.
  const project = await post<{ id: string }>("/manage/projects", { name: run, api_key: "sk-bench-upstream-key" });
  const token = await post<{ token: string }>("/manage/tokens", { project_id: project.id, duration_minutes: 600 });
  const limited = await post<{ token: string }>("/manage/tokens", { project_id: project.id, duration_minutes: 600, rate_limit_rpm: 1_000_000 });
  const cleanup = async () => {
    proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    if (services) await deleteStream(services.redisUrl, `${run}-events`);
    await fs.rm(dir, { recursive: true, force: true });
  };
  return { name, proc, api, token: token.token, limited: limited.token, rss: { before: rssMb(proc.pid as number), max: 0, after: 0 }, cleanup };
}

/** The bench's events do not stay in a shared Redis. */
async function deleteStream(redisUrl: string, key: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.del(key);
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}

/** Events published vs requests that should have one (cache hits have none), once the bus drained. */
async function eventCheck(p: Proxy): Promise<string> {
  const read = async () => (await (await fetch(`${p.api}/metrics`)).json()) as { request_count: number; cache_hits: number; events_published: number; events_dropped: number };
  let m = await read();
  for (let i = 0; i < 20 && m.events_published + m.events_dropped < m.request_count - m.cache_hits; i++) {
    await new Promise((r) => setTimeout(r, 250));
    m = await read();
  }
  const expected = m.request_count - m.cache_hits;
  const ok = m.events_published === expected && m.events_dropped === 0;
  return `${p.name}: ${m.request_count} requests, ${m.cache_hits} cache hits, ${m.events_published} events published, ${m.events_dropped} dropped${ok ? "" : " (INCOMPLETE)"}`;
}

async function main() {
  const soakFor = soakSeconds(process.argv.slice(2));
  const loadBefore = os.loadavg()[0] ?? 0;
  if (hasTaskset) spawnSync("taskset", ["-cp", "0", String(process.pid)]);
  const services = process.env.DATABASE_URL && process.env.REDIS_URL ? { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL } : undefined;
  const up = await start(pin(0, tsx("packages/proxy/bench/upstream.ts")), process.env, /port (\d+)/);
  const upstream = `http://127.0.0.1:${up.match[1]}`;
  const children: ChildProcess[] = [up.proc];
  const proxies: Proxy[] = [];
  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }] });
  const json = { "content-type": "application/json" };
  const stream = { "x-bench-stream": "1" };
  const route = "/v1/chat/completions";
  try {
    if (soakFor !== undefined) {
      const p = await startProxy(process.env.DATABASE_URL ? "PostgreSQL + Redis" : "embedded", upstream, services);
      proxies.push(p);
      const withToken = { ...json, authorization: `Bearer ${p.token}` };
      await load(p.api + route, withToken, body);
      const lines = await soak(soakFor, p.proc.pid as number, [["proxy JSON", p.api + route, withToken], ["proxy SSE", p.api + route, { ...withToken, ...stream }]], body);
      await new Promise((r) => setTimeout(r, 3000));
      lines.unshift(`llm-proxy soak (${p.name}; proxy: ${PROXY_CMD.join(" ")})`, `proxy RSS before load ${p.rss.before.toFixed(0)} MB`);
      lines.push(`proxy RSS 3 s after the soak ${rssMb(p.proc.pid as number).toFixed(0)} MB`);
      // V8's memory reducer collects and gives memory back some seconds after allocation slows.
      await new Promise((r) => setTimeout(r, 27_000));
      lines.push(`proxy RSS 30 s after the soak ${rssMb(p.proc.pid as number).toFixed(0)} MB`);
      process.stdout.write(lines.join("\n") + "\n");
      return;
    }

    const pipe = await start(pin(1, tsx("packages/proxy/bench/pipe.ts").concat(upstream)), process.env, /port (\d+)/);
    children.push(pipe.proc);
    const agentPipe = process.env.BENCH_AGENT_PIPE === "1" ? await start(pin(1, tsx("packages/proxy/bench/agent-pipe.ts").concat(upstream)), process.env, /port (\d+)/) : undefined;
    if (agentPipe) children.push(agentPipe.proc);
    const floorToken = "sk-bench-floor";
    const floor = process.env.BENCH_FLOOR === "1" ? await start(pin(1, tsx("packages/proxy/bench/floor.ts").concat(upstream, floorToken)), process.env, /port (\d+)/) : undefined;
    const redisFloor = floor && services ? await start(pin(1, tsx("packages/proxy/bench/floor.ts").concat(upstream, floorToken, services.redisUrl, `bench-floor-${Date.now()}-events`)), process.env, /port (\d+)/) : undefined;
    for (const f of [floor, redisFloor]) if (f) children.push(f.proc);
    proxies.push(await startProxy("embedded", upstream, undefined));
    if (services) proxies.push(await startProxy("PostgreSQL + Redis", upstream, services));
    if (BASELINE_CMD) {
      proxies.push(await startProxy("embedded (baseline)", upstream, undefined, BASELINE_CMD));
      if (services) proxies.push(await startProxy("PostgreSQL + Redis (baseline)", upstream, services, BASELINE_CMD));
    }
    const peer = process.env.BENCH_PEER?.replace(/\/$/, "");
    const peerHeaders = { ...json, authorization: "Bearer sk-bench-upstream-key", "x-portkey-provider": "openai", "x-portkey-custom-host": `${upstream}/v1` };

    // Throughput at CONNECTIONS: [name, url, headers, pid of the process that serves it].
    const pipeUrl = `http://127.0.0.1:${pipe.match[1]}${route}`;
    type Load = [string, string, Headers, number | undefined];
    const loads: Load[] = [
      ["upstream direct", upstream + route, json, up.proc.pid],
      ["undici pipe", pipeUrl, json, pipe.proc.pid],
      ...(agentPipe ? [["node:http Agent pipe", `http://127.0.0.1:${agentPipe.match[1]}${route}`, json, agentPipe.proc.pid] as Load] : []),
      ...(floor ? [["required-work floor", `http://127.0.0.1:${floor.match[1]}${route}`, { ...json, authorization: `Bearer ${floorToken}` }, floor.proc.pid] as Load] : []),
      ...(redisFloor ? [["required-work floor, events to Redis", `http://127.0.0.1:${redisFloor.match[1]}${route}`, { ...json, authorization: `Bearer ${floorToken}` }, redisFloor.proc.pid] as Load] : []),
      ...proxies.map((p): Load => [`proxy ${p.name}`, p.api + route, { ...json, authorization: `Bearer ${p.token}` }, p.proc.pid]),
      ...(peer ? [["Portkey (BENCH_PEER)", peer + route, peerHeaders, undefined] as Load] : []),
      ["undici pipe SSE", pipeUrl, { ...json, ...stream }, pipe.proc.pid],
      ...proxies.map((p): Load => [`proxy ${p.name} SSE`, p.api + route, { ...json, ...stream, authorization: `Bearer ${p.token}` }, p.proc.pid]),
    ];
    // Latency, one connection: [name, url, headers]; "added" is against upstream direct.
    const seqs: [string, string, Headers][] = [
      ["upstream direct", upstream + route, json],
      ["undici pipe", pipeUrl, json],
      ...proxies.map((p): [string, string, Headers] => [`proxy ${p.name}`, p.api + route, { ...json, authorization: `Bearer ${p.token}` }]),
      ...proxies.map((p): [string, string, Headers] => [`proxy ${p.name}, token with a rate limit`, p.api + route, { ...json, authorization: `Bearer ${p.limited}` }]),
      ...proxies.map((p): [string, string, Headers] => [`proxy ${p.name}, cache hit`, p.api + route, { ...json, authorization: `Bearer ${p.token}`, "cache-control": "public, max-age=3600" }]),
      ["upstream direct SSE", upstream + route, { ...json, ...stream }],
      ["undici pipe SSE", pipeUrl, { ...json, ...stream }],
      ...proxies.map((p): [string, string, Headers] => [`proxy ${p.name} SSE`, p.api + route, { ...json, ...stream, authorization: `Bearer ${p.token}` }]),
    ];

    // Warm up JIT, pools and caches of every process.
    for (const [, url, headers] of loads) await load(url, headers, body, 2);

    const rows = new Map<string, { rps: number[]; p50: number[]; p99: number[]; cpuUs: number[]; errors: number }>();
    const sampler = setInterval(() => proxies.forEach((p) => (p.rss.max = Math.max(p.rss.max, rssMb(p.proc.pid as number)))), 250);
    for (let run = 0; run < RUNS; run++) {
      for (let i = 0; i < loads.length; i++) {
        const [name, url, headers, pid] = loads[(i + run) % loads.length] as Load;
        const cpu0 = cpuSeconds(pid);
        const r = await load(url, headers, body);
        const cpu = cpuSeconds(pid) - cpu0;
        const row = rows.get(name) ?? { rps: [], p50: [], p99: [], cpuUs: [], errors: 0 };
        rows.set(name, row);
        row.rps[run] = r.rps;
        row.p50[run] = r.p50;
        row.p99[run] = r.p99;
        row.cpuUs[run] = pid && r.requests > 0 ? (cpu / r.requests) * 1e6 : NaN;
        row.errors += r.errors;
      }
    }
    clearInterval(sampler);

    const seq = new Map<string, { p50: number[]; p99: number[]; ttfb: number[]; errors: number }>();
    for (let run = 0; run < RUNS; run++) {
      // Rotated as the loads are: no target is always measured first or right after another.
      for (let i = 0; i < seqs.length; i++) {
        const [name, url, headers] = seqs[(i + run) % seqs.length] as [string, string, Headers];
        const r = await sequential(url, headers, body, SEQUENTIAL);
        const row = seq.get(name) ?? { p50: [], p99: [], ttfb: [], errors: 0 };
        seq.set(name, row);
        row.p50.push(r.p50);
        row.p99.push(r.p99);
        row.ttfb.push(r.ttfb);
        row.errors += r.errors;
      }
    }
    await new Promise((r) => setTimeout(r, 3000));
    for (const p of proxies) p.rss.after = rssMb(p.proc.pid as number);
    const events = process.env.BENCH_EVENTS === "0" ? [] : await Promise.all(proxies.map(eventCheck));

    /** Median over runs of a per-run ratio a/b (both measured in that run). */
    const ratio = (a: string, b: string) => {
      const x = rows.get(a)?.rps ?? [];
      const y = rows.get(b)?.rps ?? [];
      return median(x.map((v, i) => v / (y[i] ?? NaN)));
    };
    /** Median over runs of the per-run difference a − b of one latency figure. */
    const added = (k: "p50" | "p99" | "ttfb", a: string, b: string) => {
      const x = seq.get(a)?.[k] ?? [];
      const y = seq.get(b)?.[k] ?? [];
      return median(x.map((v, i) => v - (y[i] ?? NaN)));
    };
    const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");
    // Other work on a shared machine skews throughput more than CPU per request: shown for that.
    const loadAfter = os.loadavg()[0] ?? 0;
    const lines = [
      `llm-proxy benchmark (proxy: ${PROXY_CMD.join(" ")}; ${CONNECTIONS} connections, ${DURATION} s per load, median of ${RUNS} runs; proxies and pipe ${hasTaskset ? "pinned to core 1, upstream and load generator to core 0" : "not pinned (no taskset)"}; load average ${f(loadBefore, 1)} at start, ${f(loadAfter, 1)} at end)`,
      "",
      `| load (${CONNECTIONS} connections) | req/s | vs undici pipe | p50 ms | p99 ms | CPU µs/request | pipe CPU / this CPU | errors |`,
      "|---|---|---|---|---|---|---|---|",
    ];
    for (const [name, row] of rows) {
      const ref = name.endsWith("SSE") ? "undici pipe SSE" : "undici pipe";
      const cpuRatio = median((rows.get(ref)?.cpuUs ?? []).map((v, i) => v / (row.cpuUs[i] ?? NaN)));
      lines.push(`| ${name} | ${f(median(row.rps))} | ${name === ref ? "1" : f(ratio(name, ref), 2)} | ${f(median(row.p50), 1)} | ${f(median(row.p99), 1)} | ${f(median(row.cpuUs))} | ${name === ref ? "1" : f(cpuRatio, 2)} | ${row.errors} |`);
    }
    if (peer) for (const p of proxies) lines.push("", `proxy ${p.name} vs Portkey: ${f(ratio(`proxy ${p.name}`, "Portkey (BENCH_PEER)"), 1)}x`);
    if (BASELINE_CMD) {
      lines.push("", `baseline: ${BASELINE_CMD.join(" ")}`, "", "| proxy vs baseline (per-run ratios) | req/s | baseline CPU / proxy CPU |", "|---|---|---|");
      for (const name of [...rows.keys()].filter((n) => n.startsWith("proxy ") && !n.includes("(baseline)"))) {
        const base = name.replace(/^proxy (embedded|PostgreSQL \+ Redis)/, "proxy $1 (baseline)");
        const cpu = median((rows.get(base)?.cpuUs ?? []).map((v, i) => v / (rows.get(name)?.cpuUs[i] ?? NaN)));
        lines.push(`| ${name} | ${f(ratio(name, base), 2)} | ${f(cpu, 2)} |`);
      }
    }
    lines.push("", "| sequential (1 connection, keep-alive) | p50 ms | added p50 | p99 ms | added p99 | errors |", "|---|---|---|---|---|---|");
    for (const [name, row] of seq) {
      const ref = name.endsWith("SSE") ? "upstream direct SSE" : "upstream direct";
      const k = name.endsWith("SSE") ? "ttfb" : "p50";
      const label = name.endsWith("SSE") ? `${name} (first byte)` : name;
      const isRef = name === ref;
      const p99 = name.endsWith("SSE") ? "" : f(median(row.p99), 3);
      const addedP99 = name.endsWith("SSE") || isRef ? "" : f(added("p99", name, ref), 3);
      lines.push(`| ${label} | ${f(median(row[k]), 3)} | ${isRef ? "" : f(added(k, name, ref), 3)} | ${p99} | ${addedP99} | ${row.errors} |`);
    }
    lines.push("", ...proxies.map((p) => `proxy ${p.name} RSS: ${f(p.rss.before)} MB before load, max ${f(p.rss.max)} MB under load, ${f(p.rss.after)} MB 3 s after`));
    if (events.length > 0) lines.push("", "events:", ...events.map((e) => `- ${e}`));
    if (!services) lines.push("", "PostgreSQL + Redis: skipped (set DATABASE_URL and REDIS_URL)");
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(proxies.map((p) => p.cleanup()));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
