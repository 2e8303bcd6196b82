import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { loadConfig, type Config } from "../src/config.js";
import { createLogger, type Logger } from "../src/observability/logger.js";
import { startServer, type RunningServer } from "../src/server.js";
import { postgresUrl } from "../../../test/services.js";

export type StorageKind = "embedded" | "postgres";

/** The storage kinds a suite runs against here: embedded always, PostgreSQL when DATABASE_URL is set. */
export function storageKinds(): StorageKind[] {
  return postgresUrl() ? ["embedded", "postgres"] : ["embedded"];
}

/** A fresh PostgreSQL database for one suite, dropped afterwards. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = postgresUrl();
  if (!base) throw new Error("DATABASE_URL is not set");
  const name = `llmproxy_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface Stack extends RunningServer {
  config: Config;
  /** `fetch` against the API with the management token. */
  manage(pathname: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export const TEST_MANAGEMENT_TOKEN = "test-management-token-0123456789";

/** Starts the whole server in this process on loopback ports, on the storage kind asked for. */
export async function startStack(kind: StorageKind, env: Record<string, string> = {}, logger?: Logger): Promise<Stack> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-test-"));
  const pg = kind === "postgres" && !env.DATABASE_URL ? await freshPostgresDatabase() : undefined;
  const removeStorage = async () => {
    await pg?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  let config: Config;
  let server: RunningServer;
  try {
    config = loadConfig({
      LISTEN_ADDR: "127.0.0.1:0",
      ADMIN_UI_LISTEN_ADDR: "127.0.0.1:0",
      DATA_DIR: dataDir,
      MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN,
      SHUTDOWN_TIMEOUT: "5s",
      ...(pg ? { DATABASE_URL: pg.url } : {}),
      ...env,
    });
    server = await startServer(config, logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent", format: "json" }));
  } catch (err) {
    // A test that expects the start to fail leaves no directory or database behind.
    await removeStorage();
    throw err;
  }
  return {
    ...server,
    config,
    manage(pathname, init = {}) {
      const { json, ...rest } = init;
      return fetch(server.apiUrl + pathname, {
        ...rest,
        headers: { authorization: `Bearer ${server.managementToken}`, "content-type": "application/json", ...(rest.headers ?? {}) },
        ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? "POST" } : {}),
      });
    },
    async close() {
      await server.stop();
      await removeStorage();
    },
  };
}
