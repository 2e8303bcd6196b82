import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../../test/services.js";
import { readMigrations } from "../src/storage/migrate.js";
import { freshPostgresDatabase } from "./harness.js";
import { runProxy } from "./process.js";

describe("embedded mode across restarts", () => {
  let dataDir = "";
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  it("generates a management token once, keeps committed writes through SIGTERM, and reuses both", async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-restart-"));
    const env = { DATA_DIR: dataDir, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_ENABLED: "false" };
    const first = runProxy([], env);
    const [, url = "", token = ""] = await first.waitFor(/API, \/v1 and \/manage: (\S+)\n.*\n\s+(\S+)\n/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fs.stat(path.join(dataDir, "management-token"))).mode & 0o777).toBe(0o600);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${url}/manage/projects`, { method: "POST", headers: auth, body: JSON.stringify({ name: "kept", api_key: "k-0123456789abcdef" }) });
    expect(created.status).toBe(201);
    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toMatch(/k-0123456789abcdef/);

    const second = runProxy([], env);
    const [, url2 = ""] = await second.waitFor(/API, \/v1 and \/manage: (\S+)/);
    await second.waitFor(/management token: in /);
    expect(second.output()).not.toContain(token);
    const list = (await (await fetch(`${url2}/manage/projects`, { headers: auth })).json()) as { name: string }[];
    expect(list.map((p) => p.name)).toEqual(["kept"]);
    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("refuses to start with one clear line for a bad setting", async () => {
    const child = runProxy([], { LISTEN_ADDR: "not-an-address" });
    expect(await child.exited).toBe(1);
    expect(child.output().trim()).toBe('llm-proxy: LISTEN_ADDR: expected "host:port", "[ipv6]:port" or ":port" (every interface), got "not-an-address"');
  });
});

describe.skipIf(!postgresUrl())("migrations on PostgreSQL", () => {
  it("two processes migrating the same fresh database at once both succeed", async () => {
    const db = await freshPostgresDatabase();
    try {
      const env = { DATABASE_URL: db.url, MANAGEMENT_TOKEN: "x".repeat(20) };
      const a = runProxy(["migrate", "up"], env);
      const b = runProxy(["migrate", "up"], env);
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
      const applied = [a.output(), b.output()].map((o) => (JSON.parse(o) as { applied: number[] }).applied);
      const versions = (await readMigrations()).map((m) => m.version);
      expect(applied.flat().sort((x, y) => x - y)).toEqual(versions);
      const status = runProxy(["migrate", "status"], env);
      expect(await status.exited).toBe(0);
      const rows = JSON.parse(status.output()) as { version: number; appliedAt: string | null }[];
      expect(rows.every((r) => r.appliedAt !== null)).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
