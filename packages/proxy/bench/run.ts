/**
 * `npm run bench`: the data plane against a direct call to the same fake upstream, in one run.
 * The proxy runs in its own process pinned to core 1 (taskset), the upstream and the load
 * generator share core 0; a bare Node.js pipe proxy on core 1 is the reference for what any
 * Node proxy costs here. Reports medians of BENCH_RUNS runs and ratios against direct.
 *
 * Env: BENCH_RUNS (3), BENCH_DURATION seconds per load run (8), BENCH_CONNECTIONS (50),
 * BENCH_SEQUENTIAL requests for the added-latency run (2000), BENCH_EVENTS=0 to measure without
 * request events; DATABASE_URL / REDIS_URL to
 * bench on services instead of the embedded defaults.
 *
 * The proxy's RSS is reported before load (started, idle), during (the maximum) and after.
 * BENCH_PROXY: the proxy's command line (default `node --import tsx packages/proxy/src/main.ts`),
 * e.g. to bench a compiled build or Node flags.
 * `--soak 10m` (or `600s`) runs only a soak instead: JSON and SSE load in turns for that long,
 * RSS sampled every BENCH_SOAK_SAMPLE seconds (10), and a verdict on whether it stayed flat.
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

function start(cmd: string[], env: Record<string, string>, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  const [bin, ...args] = cmd as [string, ...string[]];
  const proc = spawn(bin, args, { cwd: ROOT, env: { ...process.env, LLM_PROXY_DOTENV: "false", ...env }, stdio: ["ignore", "pipe", "pipe"] });
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

/** `--soak 10m` / `--soak 90s` / `--soak 600` (seconds) → seconds; undefined without the flag. */
function soakSeconds(argv: string[]): number | undefined {
  const i = argv.indexOf("--soak");
  if (i === -1) return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(argv[i + 1] ?? "");
  if (!m) throw new Error(`--soak wants a duration like 10m or 600s, got "${argv[i + 1] ?? ""}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? "s") as "s" | "m" | "h"];
}

/**
 * Flat: the median of the last fifth of the samples is at most 10 MB or 5 % above the median of
 * the first fifth (taken after warm-up, so pools and caches are already full).
 */
function flatness(samples: number[]): { first: number; last: number; flat: boolean } {
  const n = Math.max(1, Math.floor(samples.length / 5));
  const first = median(samples.slice(0, n));
  const last = median(samples.slice(-n));
  return { first, last, flat: last - first <= Math.max(10, first * 0.05) };
}

async function soak(seconds: number, pid: number, loads: [string, string, Record<string, string>][], body: string): Promise<string[]> {
  const every = Number(process.env.BENCH_SOAK_SAMPLE ?? 10);
  const samples: { t: number; mb: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, mb: rssMb(pid) }), every * 1000);
  let requests = 0;
  let errors = 0;
  try {
    for (let turn = 0; Date.now() - t0 < seconds * 1000; turn++) {
      const [, url, headers] = loads[turn % loads.length] as [string, string, Record<string, string>];
      const left = Math.ceil(seconds - (Date.now() - t0) / 1000);
      const r = await autocannon({ url, method: "POST", connections: CONNECTIONS, duration: Math.max(1, Math.min(30, left)), headers, body });
      requests += r.requests.total;
      errors += r.errors + r.non2xx;
    }
  } finally {
    clearInterval(sampler);
  }
  const mbs = samples.map((s) => s.mb);
  const v = flatness(mbs);
  return [
    `soak: ${seconds} s of ${loads.map((l) => l[0]).join(" / ")} in 30 s turns, ${CONNECTIONS} connections, ${requests} requests, ${errors} errors`,
    `RSS every ${every} s (MB): ${samples.map((s) => s.mb.toFixed(0)).join(" ")}`,
    `RSS first fifth median ${v.first.toFixed(0)} MB, last fifth ${v.last.toFixed(0)} MB, max ${Math.max(...mbs).toFixed(0)} MB: ${v.flat ? "flat" : "GROWING"}`,
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function load(url: string, headers: Record<string, string>, body: string) {
  const r = await autocannon({ url, method: "POST", connections: CONNECTIONS, duration: DURATION, headers, body });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/** Sequential keep-alive requests timed with hrtime: latency the proxy adds to one call. */
async function sequential(url: string, headers: Record<string, string>, body: string, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const u = new URL(url);
  const total: number[] = [];
  const ttfb: number[] = [];
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
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
  return { p50: pct(total, 0.5), p99: pct(total, 0.99), ttfb50: pct(ttfb, 0.5) };
}

async function main() {
  const soakFor = soakSeconds(process.argv.slice(2));
  if (hasTaskset) spawnSync("taskset", ["-cp", "0", String(process.pid)]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-bench-"));
  const up = await start(pin(0, [process.execPath, "--import", "tsx", "packages/proxy/bench/upstream.ts"]), {}, /port (\d+)/);
  const upstream = `http://127.0.0.1:${up.match[1]}`;
  const proxyEnv: Record<string, string> = {
    LISTEN_ADDR: "127.0.0.1:0",
    ADMIN_UI_ENABLED: "false",
    DATA_DIR: dir,
    MANAGEMENT_TOKEN: MT,
    OPENAI_API_URL: upstream,
    LOG_LEVEL: "warn",
    ...(process.env.REDIS_URL ? {} : { FILE_EVENT_LOG: path.join(dir, "events.jsonl") }),
    ...(process.env.BENCH_EVENTS === "0" ? { OBSERVABILITY_ENABLED: "false" } : {}),
  };
  const proxyCmd = process.env.BENCH_PROXY?.split(/\s+/).filter(Boolean) ?? [process.execPath, "--import", "tsx", "packages/proxy/src/main.ts"];
  const proxy = await start(pin(1, proxyCmd), proxyEnv, /API, \/v1 and \/manage: (\S+)/);
  const api = proxy.match[1] as string;
  const pipe = await start(pin(1, [process.execPath, "--import", "tsx", "packages/proxy/bench/pipe.ts", upstream]), {}, /port (\d+)/);
  const mode = process.env.DATABASE_URL ? `PostgreSQL${process.env.REDIS_URL ? " + Redis" : ""}` : "embedded";
  const pid = proxy.proc.pid as number;
  try {
    const beforeRss = rssMb(pid);
    const auth = { authorization: `Bearer ${MT}`, "content-type": "application/json" };
    // A new name each run: a PostgreSQL database may keep the last run's project.
    const project = (await (await fetch(`${api}/manage/projects`, { method: "POST", headers: auth, body: JSON.stringify({ name: `bench-${Date.now()}`, api_key: "sk-bench-upstream-key" }) })).json()) as { id: string };
    const token = (await (await fetch(`${api}/manage/tokens`, { method: "POST", headers: auth, body: JSON.stringify({ project_id: project.id, duration_minutes: 600 }) })).json()) as { token: string };
    const limited = (await (await fetch(`${api}/manage/tokens`, { method: "POST", headers: auth, body: JSON.stringify({ project_id: project.id, duration_minutes: 600, rate_limit_rpm: 1_000_000 }) })).json()) as { token: string };
    const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }] });
    const json = { "content-type": "application/json" };
    const withToken = { ...json, authorization: `Bearer ${token.token}` };
    const stream = { "x-bench-stream": "1" };
    const paths = { direct: `${upstream}/v1/chat/completions`, proxy: `${api}/v1/chat/completions`, pipe: `http://127.0.0.1:${pipe.match[1]}/v1/chat/completions` };

    // Warm up JIT, pools and caches.
    await load(paths.proxy, withToken, body);
    if (soakFor !== undefined) {
      const lines = await soak(soakFor, pid, [["proxy JSON", paths.proxy, withToken], ["proxy SSE", paths.proxy, { ...withToken, ...stream }]], body);
      await new Promise((r) => setTimeout(r, 3000));
      lines.unshift(`llm-proxy soak (${mode}; proxy: ${proxyCmd.join(" ")})`, `proxy RSS before load ${beforeRss.toFixed(0)} MB`);
      lines.push(`proxy RSS 3 s after the soak ${rssMb(pid).toFixed(0)} MB`);
      process.stdout.write(lines.join("\n") + "\n");
      return;
    }
    const rows: Record<string, { rps: number[]; p50: number[]; p99: number[]; errors: number }> = {};
    let maxRss = 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(pid))), 250);
    for (let run = 0; run < RUNS; run++) {
      for (const [name, url, headers] of [
        ["direct JSON", paths.direct, json],
        ["bare pipe JSON", paths.pipe, json],
        ["proxy JSON", paths.proxy, withToken],
        ["direct SSE", paths.direct, { ...json, ...stream }],
        ["proxy SSE", paths.proxy, { ...withToken, ...stream }],
      ] as const) {
        const r = await load(url, headers, body);
        const row = (rows[name] ??= { rps: [], p50: [], p99: [], errors: 0 });
        row.rps.push(r.rps);
        row.p50.push(r.p50);
        row.p99.push(r.p99);
        row.errors += r.errors;
      }
    }
    clearInterval(sampler);

    const seq: Record<string, { p50: number[]; p99: number[]; ttfb: number[] }> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const [name, url, headers] of [
        ["direct", paths.direct, json],
        ["proxy", paths.proxy, withToken],
        ["direct SSE", paths.direct, { ...json, ...stream }],
        ["proxy SSE", paths.proxy, { ...withToken, ...stream }],
        ["proxy rate-limited", paths.proxy, { ...json, authorization: `Bearer ${limited.token}` }],
        ["proxy cache hit", paths.proxy, { ...withToken, "cache-control": "public, max-age=3600" }],
      ] as const) {
        const r = await sequential(url, headers, body, SEQUENTIAL);
        const row = (seq[name] ??= { p50: [], p99: [], ttfb: [] });
        row.p50.push(r.p50);
        row.p99.push(r.p99);
        row.ttfb.push(r.ttfb50);
      }
    }
    await new Promise((r) => setTimeout(r, 3000));
    const idleRss = rssMb(pid);

    const f = (n: number, d = 0) => n.toFixed(d);
    const lines = [
      `llm-proxy benchmark (${mode}; proxy: ${proxyCmd.join(" ")}; ${CONNECTIONS} connections, ${DURATION}s per run, median of ${RUNS}; proxy ${hasTaskset ? "pinned to core 1" : "not pinned (no taskset)"})`,
      "",
      "| load | req/s | p50 ms | p99 ms | vs direct | errors |",
      "|---|---|---|---|---|---|",
    ];
    for (const [name, row] of Object.entries(rows)) {
      const direct = rows[name.replace("proxy", "direct").replace("bare pipe", "direct")];
      const ratio = !name.startsWith("direct") && direct ? ` ${f((median(row.rps) / median(direct.rps)) * 100)} %` : "";
      lines.push(`| ${name} | ${f(median(row.rps))} | ${f(median(row.p50), 1)} | ${f(median(row.p99), 1)} |${ratio} | ${row.errors} |`);
    }
    const added = (k: "p50" | "p99" | "ttfb", a: string, b: string) => median((seq[a] as { [x: string]: number[] })[k] as number[]) - median((seq[b] as { [x: string]: number[] })[k] as number[]);
    lines.push(
      "",
      "| sequential (1 connection, keep-alive) | direct | proxy | added |",
      "|---|---|---|---|",
      `| JSON p50 ms | ${f(median(seq.direct?.p50 ?? []), 3)} | ${f(median(seq.proxy?.p50 ?? []), 3)} | ${f(added("p50", "proxy", "direct"), 3)} |`,
      `| JSON p99 ms | ${f(median(seq.direct?.p99 ?? []), 3)} | ${f(median(seq.proxy?.p99 ?? []), 3)} | ${f(added("p99", "proxy", "direct"), 3)} |`,
      `| SSE first byte p50 ms | ${f(median(seq["direct SSE"]?.ttfb ?? []), 3)} | ${f(median(seq["proxy SSE"]?.ttfb ?? []), 3)} | ${f(added("ttfb", "proxy SSE", "direct SSE"), 3)} |`,
      `| JSON p50 ms, token with a rate limit | ${f(median(seq.direct?.p50 ?? []), 3)} | ${f(median(seq["proxy rate-limited"]?.p50 ?? []), 3)} | ${f(added("p50", "proxy rate-limited", "direct"), 3)} |`,
      `| JSON p50 ms, cache hit (no upstream call) | – | ${f(median(seq["proxy cache hit"]?.p50 ?? []), 3)} | |`,
      "",
      `proxy JSON vs bare pipe: ${f((median(rows["proxy JSON"]?.rps ?? []) / median(rows["bare pipe JSON"]?.rps ?? [1])) * 100)} %`,
      `proxy RSS: ${f(beforeRss)} MB before load, max ${f(maxRss)} MB under load, ${f(idleRss)} MB 3 s after`,
    );
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    proxy.proc.kill("SIGTERM");
    pipe.proc.kill("SIGTERM");
    up.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
