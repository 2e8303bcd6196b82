/**
 * `npm run bench:footprint`: what a newcomer pays for `npm start` (SPEC §10 Footprint). Starts
 * the command on a fresh DATA_DIR twice (first start, then a later start on the same directory),
 * and for each prints the time from spawn to the first `/health` 200 and the RSS sum of every
 * process the command leaves running (npm included), sampled from /proc 3 s after that answer.
 *
 * Flags: `--runs N` (1) pairs of starts; `--idle S` (3) seconds to wait before sampling;
 * `--cmd "..."` the command (default `npm start`, run by the shell in the repository root).
 * Linux only (reads /proc). The machine's load average is printed with the figures: they are noisy.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TARGETS = { first: { ms: 3000, mb: 300 }, later: { ms: 1000, mb: 250 } };

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
}

interface Proc {
  pid: number;
  name: string;
  mb: number;
}

/** The process tree under `root` from /proc/<pid>/stat (ppid is field 4) with each VmRSS. */
function processTree(root: number): Proc[] {
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: fields resume after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  const procs: Proc[] = [];
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const name = [cmdline[0], cmdline.at(-1)].map((a) => path.basename(a ?? "?")).join(" ");
      procs.push({ pid, name, mb: kb / 1024 });
    } catch {
      // exited meanwhile
    }
  }
  return procs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function stopTree(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  // The shell, npm and node share the group spawn created: every one gets SIGTERM, as from Ctrl-C.
  process.kill(-(proc.pid as number), "SIGTERM");
  if (await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)])) return;
  process.kill(-(proc.pid as number), "SIGKILL");
  await exited;
}

interface Sample {
  ms: number;
  mb: number;
  procs: Proc[];
}

/** One start: spawn, find the API URL in the output, poll /health, sleep, sample the tree, stop. */
async function measure(cmd: string, dataDir: string, idleSeconds: number): Promise<Sample> {
  const t0 = performance.now();
  // `exec`: the shell gives way to the command, so the tree holds only what the command runs.
  const proc = spawn(`exec ${cmd}`, {
    shell: true,
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LLM_PROXY_DOTENV: "false", DATA_DIR: dataDir, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_LISTEN_ADDR: "127.0.0.1:0", LOG_LEVEL: "warn" },
  });
  let out = "";
  proc.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  try {
    let ms = 0;
    for (let i = 0; i < 3000 && !ms; i++) {
      if (proc.exitCode !== null) throw new Error(`"${cmd}" exited with ${proc.exitCode}:\n${out}`);
      const url = /API, \/v1 and \/manage: (\S+)/.exec(out)?.[1];
      if (url && (await healthy(url))) ms = performance.now() - t0;
      else await sleep(10);
    }
    if (!ms) throw new Error(`no /health 200 within 30 s:\n${out}`);
    await sleep(idleSeconds * 1000);
    const procs = processTree(proc.pid as number);
    return { ms, mb: procs.reduce((n, p) => n + p.mb, 0), procs };
  } finally {
    await stopTree(proc);
  }
}

function report(label: string, s: Sample, target: { ms: number; mb: number }): string {
  const ok = (v: number, max: number) => (v <= max ? "ok" : "OVER");
  const parts = s.procs.map((p) => `${p.name} ${p.mb.toFixed(0)}`).join(", ");
  return `${label.padEnd(12)} ${s.ms.toFixed(0).padStart(5)} ms (${ok(s.ms, target.ms)} <= ${target.ms})  ${s.mb.toFixed(0).padStart(4)} MB (${ok(s.mb, target.mb)} <= ${target.mb})  [${parts}]`;
}

async function main(): Promise<void> {
  const runs = Number(flag("--runs", "1"));
  const idle = Number(flag("--idle", "3"));
  const cmd = flag("--cmd", "npm start");
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
  process.stdout.write(`footprint of "${cmd}" (RSS sum of its process tree ${idle} s after the first /health 200; ${os.cpus().length} cores, load ${load()})\n`);
  for (let run = 1; run <= runs; run++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-proxy-footprint-"));
    try {
      const first = await measure(cmd, dataDir, idle);
      process.stdout.write(report(`first start`, first, TARGETS.first) + "\n");
      const later = await measure(cmd, dataDir, idle);
      process.stdout.write(report(`later start`, later, TARGETS.later) + "\n");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`load average at the end: ${load()}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`footprint failed: ${(err as Error).message}\n`);
  process.exit(1);
});
