import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../packages/proxy/test/harness";
import { postgresUrl, redisUrl } from "../../test/services";

// The proxy booted exactly as ECS starts it: links as SST_RESOURCE_<Name> JSON, nothing else.
const root = path.resolve(import.meta.dirname, "../..");
// The compiled entry point the image runs (vitest's globalSetup builds it when stale).
const hasMain = existsSync(path.join(root, "packages/proxy/dist/main.js"));
const pg = hasMain ? postgresUrl() : undefined;
const redis = hasMain ? redisUrl() : undefined;

describe.runIf(hasMain && pg !== undefined && redis !== undefined)("proxy under SST links", () => {
  it("boots from SST_RESOURCE_* env against PostgreSQL and Redis and reports healthy", { timeout: 60_000 }, async () => {
    // Its own database: the shared one may hold another key's data, which the start refuses.
    const fresh = await freshPostgresDatabase();
    const db = new URL(fresh.url);
    const cache = new URL(redis ?? "");
    const port = 19_000 + Math.floor(Math.random() * 1000);
    const child = spawn(process.execPath, ["--enable-source-maps", "packages/proxy/dist/main.js"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        LISTEN_ADDR: `127.0.0.1:${port}`,
        ADMIN_UI_ENABLED: "false",
        REQUIRE_ENCRYPTION_KEY: "true",
        SST_RESOURCE_App: JSON.stringify({ name: "llm-proxy", stage: "test" }),
        SST_RESOURCE_Database: JSON.stringify({
          host: db.hostname, port: Number(db.port || 5432), username: decodeURIComponent(db.username), password: decodeURIComponent(db.password),
          database: db.pathname.slice(1), type: "sst.aws.Aurora",
        }),
        SST_RESOURCE_Cache: JSON.stringify({ host: cache.hostname, port: Number(cache.port || 6379), username: "default", password: "", type: "sst.aws.Redis" }),
        SST_RESOURCE_ManagementToken: JSON.stringify({ value: "links-test-token-0123456789", type: "sst.sst.Secret" }),
        SST_RESOURCE_EncryptionKey: JSON.stringify({ value: Buffer.alloc(32, 7).toString("base64"), type: "sst.sst.Secret" }),
      },
      stdio: "pipe",
    });
    let logs = "";
    child.stdout.on("data", (d: Buffer) => (logs += d.toString()));
    child.stderr.on("data", (d: Buffer) => (logs += d.toString()));
    try {
      let res: Response | undefined;
      for (let i = 0; i < 60 && res?.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 500));
        res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      }
      expect(res?.status, logs).toBe(200);
      const body = (await res?.json()) as { status: string; checks: Record<string, { status: string }> };
      expect(body.status).toBe("ok");
      // Every check reported (database, and redis once the proxy uses it) is up.
      expect(Object.keys(body.checks).length).toBeGreaterThan(0);
      for (const [name, check] of Object.entries(body.checks)) expect(check.status, name).toBe("up");
    } finally {
      child.kill("SIGTERM");
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
      await fresh.drop();
    }
  });
});
