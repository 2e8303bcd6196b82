import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataDirLockedError, lockDataDir } from "../src/storage/lock.js";
import { runProxy, type Child } from "./process.js";

const MT = "data-dir-lock-management-token-01";

describe("one embedded process per data directory (real processes)", () => {
  let dir = "";
  const children: Child[] = [];
  const env = () => ({ DATA_DIR: dir, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_ENABLED: "false", MANAGEMENT_TOKEN: MT });
  const run = (args: string[]) => {
    const child = runProxy(args, env());
    children.push(child);
    return child;
  };
  const serve = async () => {
    const child = run([]);
    const [, url = ""] = await child.waitFor(/API, \/v1 and \/manage: (\S+)/, 90_000);
    return { child, url };
  };
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-lock-"));
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
      await c.exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("refuses a second start and migrate while one runs, naming the directory and the holder", async () => {
    const first = await serve();
    const pid = first.child.proc.pid ?? 0;
    const second = run([]);
    expect(await second.exited).toBe(1);
    const refusal = second.output().trim();
    expect(refusal).toContain(`llm-proxy: DATA_DIR ${dir} is in use by llm-proxy serve (pid ${pid} on ${os.hostname()}, since 20`);
    expect(refusal).toContain(`delete ${path.join(dir, "llm-proxy.lock")}`);
    expect(refusal.split("\n")).toHaveLength(1);

    for (const sub of ["up", "encrypt", "status"]) {
      const migrate = run(["migrate", sub]);
      expect(await migrate.exited).toBe(1);
      expect(migrate.output()).toContain(`is in use by llm-proxy serve (pid ${pid}`);
    }
    // The first one is unharmed and still serves.
    expect((await fetch(`${first.url}/manage/projects`, { headers: { authorization: `Bearer ${MT}` } })).status).toBe(200);
    first.child.proc.kill("SIGTERM");
    expect(await first.child.exited).toBe(0);
    await expect(fs.access(path.join(dir, "llm-proxy.lock"))).rejects.toThrow();
  });

  it("takes over the stale lock a kill -9 leaves behind, and migrate runs once the server stopped", async () => {
    const first = await serve();
    first.child.proc.kill("SIGKILL");
    await first.child.exited;
    const stale = JSON.parse(await fs.readFile(path.join(dir, "llm-proxy.lock"), "utf8")) as { pid: number };
    expect(stale.pid).toBe(first.child.proc.pid);

    const next = await serve();
    expect((await fetch(`${next.url}/manage/projects`, { headers: { authorization: `Bearer ${MT}` } })).status).toBe(200);
    next.child.proc.kill("SIGINT");
    expect(await next.child.exited).toBe(0);

    const migrate = run(["migrate", "status"]);
    expect(await migrate.exited).toBe(0);
    await expect(fs.access(path.join(dir, "llm-proxy.lock"))).rejects.toThrow();
  });
});

describe("the data directory lock file", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-lockfile-"));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  const file = () => path.join(dir, "llm-proxy.lock");
  const plant = async (holder: object, ageMs: number) => {
    await fs.writeFile(file(), JSON.stringify(holder));
    const t = new Date(Date.now() - ageMs);
    await fs.utimes(file(), t, t);
  };

  it("respects another host's lock while it is refreshed and takes it over once it is not", async () => {
    const other = { pid: 1, host: "another-host", since: "2026-01-01T00:00:00.000Z", command: "serve" };
    await plant(other, 5_000);
    expect(() => lockDataDir(dir, "serve")).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir, "serve")).toThrow("llm-proxy serve (pid 1 on another-host, since 2026-01-01T00:00:00.000Z)");
    await plant(other, 120_000);
    const lock = lockDataDir(dir, "serve");
    expect(JSON.parse(await fs.readFile(file(), "utf8"))).toMatchObject({ pid: process.pid, host: os.hostname(), command: "serve" });
    lock.release();
    await expect(fs.access(file())).rejects.toThrow();
  });

  it("treats its own pid on this host as a restart (pid 1 in a container), and refuses a live one", async () => {
    await plant({ pid: process.pid, host: os.hostname(), since: "2026-01-01T00:00:00.000Z", command: "serve" }, 0);
    lockDataDir(dir, "serve").release();
    await plant({ pid: process.ppid, host: os.hostname(), since: "2026-01-01T00:00:00.000Z", command: "migrate encrypt" }, 0);
    expect(() => lockDataDir(dir, "serve")).toThrow(`llm-proxy migrate encrypt (pid ${process.ppid}`);
    await fs.rm(file());
  });

  it("never removes a lock another process took over", async () => {
    const lock = lockDataDir(dir, "serve");
    await plant({ pid: process.ppid, host: os.hostname(), since: "2026-01-01T00:00:00.000Z", command: "serve" }, 0);
    lock.release();
    await expect(fs.access(file())).resolves.toBeUndefined();
    await fs.rm(file());
  });
});
