import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";

/** Every directory and file below `dir` (itself included) whose mode lets group or others in. */
async function loose(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    const st = await fs.lstat(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) out.push(`${(st.mode & 0o777).toString(8)} ${path.relative(dir, p) || "."}`);
    if (st.isDirectory()) for (const name of await fs.readdir(p)) await walk(path.join(p, name));
  };
  await walk(dir);
  return out;
}

async function count(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.length;
}

/** What an older version left behind: directories 0755, database files 0666, the token file 0644. */
async function loosen(dir: string): Promise<void> {
  const walk = async (p: string) => {
    const st = await fs.lstat(p);
    if (st.isDirectory()) {
      await fs.chmod(p, 0o755);
      for (const name of await fs.readdir(p)) await walk(path.join(p, name));
    } else if (st.isFile()) {
      await fs.chmod(p, 0o666);
    }
  };
  await walk(dir);
  await fs.chmod(path.join(dir, "management-token"), 0o644);
}

// Issue 12.10: the embedded database (upstream keys, in clear in pg_wal without ENCRYPTION_KEY)
// and the generated management token must not be readable by other users.
describe("the embedded data directory", () => {
  let parent: string;
  let dataDir: string;
  let s: Stack | undefined;
  const start = async () => {
    s = await startStack("embedded", { DATA_DIR: dataDir, MANAGEMENT_TOKEN: "" });
    return s;
  };
  /** Writes that reach the database and its WAL: a project with an upstream key, tokens, an audit trail. */
  const writes = async (stack: Stack) => {
    for (let i = 0; i < 3; i++) await seedToken(stack);
    const res = await stack.manage("/manage/projects?limit=5");
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-datadir-"));
    await fs.chmod(parent, 0o755);
    dataDir = path.join(parent, "data");
  });
  afterAll(async () => {
    await s?.close();
    await fs.rm(parent, { recursive: true, force: true });
  });

  it("is created owner-only and stays so through writes and stop", async () => {
    const stack = await start();
    expect(stack.generatedTokenFile).toBe(path.join(dataDir, "management-token"));
    await writes(stack);
    expect(await count(dataDir)).toBeGreaterThan(100);
    expect(await loose(dataDir)).toEqual([]);
    await stack.close();
    s = undefined;
    expect(await loose(dataDir)).toEqual([]);
  });

  it("is tightened at start when an older version left it readable", async () => {
    await loosen(dataDir);
    expect((await loose(dataDir)).length).toBeGreaterThan(100);
    const stack = await start();
    // The same token file, kept and now private.
    expect(stack.generatedTokenFile).toBeUndefined();
    expect(stack.tokenFile).toBe(path.join(dataDir, "management-token"));
    expect(await loose(dataDir)).toEqual([]);
    await writes(stack);
    expect(await loose(dataDir)).toEqual([]);
    await stack.close();
    s = undefined;
    expect(await loose(dataDir)).toEqual([]);
  });
});
