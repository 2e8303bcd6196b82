import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "@llm-proxy/config";

const LOCK_FILE = "llm-proxy.lock";
/** The holder rewrites its lock this often; another host's lock untouched for STALE_MS is taken over. */
const HEARTBEAT_MS = 10_000;
const STALE_MS = 60_000;

interface Holder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export interface DataDirLock {
  file: string;
  release(): void;
}

/** Another live process holds the data directory: names the directory, the process and what to do. */
export class DataDirLockedError extends ConfigError {
  override name = "DataDirLockedError";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): { holder: Holder | undefined; ageMs: number } | undefined {
  try {
    const ageMs = Date.now() - fs.statSync(file).mtimeMs;
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Holder>;
    const ok = typeof parsed.pid === "number" && typeof parsed.host === "string" && typeof parsed.since === "string";
    return { holder: ok ? (parsed as Holder) : undefined, ageMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Half-written (a crash between create and write) or unreadable: judged by its age alone.
    return { holder: undefined, ageMs: 0 };
  }
}

/**
 * A lock whose holder is gone: on this host, its pid no longer runs (or is our own pid, reused
 * after a restart, as pid 1 in a container is); on another host (a shared volume), it stopped
 * refreshing the file.
 */
function isStale(found: { holder: Holder | undefined; ageMs: number }): boolean {
  const { holder, ageMs } = found;
  if (!holder) return ageMs > STALE_MS;
  if (holder.host === os.hostname()) return holder.pid === process.pid || !isAlive(holder.pid);
  return ageMs > STALE_MS;
}

function refusal(dataDir: string, file: string, holder: Holder | undefined): DataDirLockedError {
  const who = holder ? `llm-proxy ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : "another llm-proxy process";
  return new DataDirLockedError(
    `DATA_DIR ${dataDir} is in use by ${who}. One data directory serves one process: stop that process first, ` +
      `or set DATA_DIR to another directory (or DATABASE_URL for several instances). ` +
      `If that process is gone, delete ${file}.`,
  );
}

/**
 * Takes the embedded data directory for this process alone (`command` is shown to whoever is
 * refused): an exclusive lock file holding our pid, host and start time, created with O_EXCL. A
 * stale lock (its process killed with -9) is taken over. Released on exit, including the exits
 * that follow SIGTERM and SIGINT.
 */
export function lockDataDir(dataDir: string, command: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), command };
  const body = JSON.stringify(mine) + "\n";
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, body, { flag: "wx", mode: 0o600 });
      return hold(file, body);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const found = readHolder(file);
    if (found && !isStale(found)) throw refusal(dataDir, file, found.holder);
    // Gone or stale: remove it and try the exclusive create again (a racing start wins or loses there).
    fs.rmSync(file, { force: true });
  }
  throw refusal(dataDir, file, readHolder(file)?.holder);
}

function hold(file: string, body: string): DataDirLock {
  const ours = () => {
    try {
      return fs.readFileSync(file, "utf8") === body;
    } catch {
      return false;
    }
  };
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      if (ours()) fs.utimesSync(file, now, now);
    } catch {
      // The directory went away: nothing to refresh, and no reason to crash the server.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    clearInterval(heartbeat);
    process.removeListener("exit", release);
    // Only our own lock: never one a later process took over after judging ours stale.
    if (ours()) fs.rmSync(file, { force: true });
  };
  process.once("exit", release);
  return { file, release };
}
