import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrl } from "../../../test/services.js";
import { runProxy, type Child } from "./process.js";

// Moving from the Go llm-proxy: its .env.example, adjusted only for the management token and the
// ports, starts the compiled proxy (and the dispatcher) from ./.env in the working directory and
// behaves as that file says.

const FIXTURE = path.join(import.meta.dirname, "fixtures/original.env.example");
const DISPATCHER = path.resolve(import.meta.dirname, "../../dispatcher/dist/main.js");
const TOKEN = "original-env-management-token-0123456789";

/** The original's settings in the fixture that have no meaning here: each named in one warning. */
const IGNORED = [
  "LOG_FILE", "DATABASE_MAX_IDLE_CONNS", "DATABASE_CONN_MAX_LIFETIME", "ENABLE_STREAMING", "ADMIN_UI_PATH",
  "CORS_ALLOWED_ORIGINS", "CORS_ALLOWED_METHODS", "CORS_ALLOWED_HEADERS", "CORS_MAX_AGE",
  "ENABLE_TLS", "TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_MIN_VERSION", "GLOBAL_RATE_LIMIT", "IP_RATE_LIMIT",
  "DISTRIBUTED_RATE_LIMIT_ENABLED", "DISTRIBUTED_RATE_LIMIT_PREFIX", "DISTRIBUTED_RATE_LIMIT_WINDOW", "DISTRIBUTED_RATE_LIMIT_MAX", "DISTRIBUTED_RATE_LIMIT_FALLBACK",
  "MASK_API_KEYS", "VALIDATE_API_KEY_FORMAT", "DEFAULT_TOKEN_LIFETIME", "DEFAULT_TOKEN_REQUEST_LIMIT",
  "MAX_CONCURRENT_REQUESTS", "WORKER_POOL_SIZE", "METRICS_PATH", "TOKEN_CLEANUP_INTERVAL",
];
/** Set in the fixture and honoured (by this service or the other), or blank: never warned about. */
const HONOURED = ["DB_DRIVER", "DATABASE_PATH", "LOG_FORMAT", "MAX_REQUEST_SIZE", "LLM_PROXY_EVENT_BUS", "REDIS_ADDR", "REDIS_STREAM_BLOCK_TIME", "DISTRIBUTED_RATE_LIMIT_KEY_SECRET", "ENCRYPTION_KEY"];

/** Lines of a process's output that name `variable` (as a whole word). */
const mentions = (output: string, variable: string) => output.split("\n").filter((line) => new RegExp(`\\b${variable}\\b`).test(line));

describe.skipIf(!redisUrl())("a proxy started with the original's .env.example", () => {
  let dir = "";
  let proxy: Child;
  let url = "";

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-original-env-"));
    const redis = new URL(redisUrl() as string);
    const text = (await fs.readFile(FIXTURE, "utf8"))
      .replace("MANAGEMENT_TOKEN=replace_with_secure_random_token", `MANAGEMENT_TOKEN=${TOKEN}`)
      .replace("LISTEN_ADDR=:8080", "LISTEN_ADDR=127.0.0.1:0\nADMIN_UI_LISTEN_ADDR=127.0.0.1:0")
      .replace("REDIS_ADDR=localhost:6379", `REDIS_ADDR=${redis.hostname}:${redis.port || "6379"}`);
    await fs.writeFile(path.join(dir, ".env"), text);
    // The developer's-.env switch turned back on: this test is about reading ./.env.
    proxy = runProxy([], { LLM_PROXY_DOTENV: "true" }, dir);
    [, url = ""] = await proxy.waitFor(/API, \/v1 and \/manage: (\S+)/);
  });
  afterAll(async () => {
    proxy.proc.kill("SIGTERM");
    await proxy.exited;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("starts in embedded mode with the admin UI, on Redis (LLM_PROXY_EVENT_BUS=redis), logging JSON at info", async () => {
    await proxy.waitFor(/admin UI: +http:\/\/127\.0\.0\.1:\d+/);
    // The JSON log goes out asynchronously: it may come after the banner on stderr.
    await proxy.waitFor(/"llm-proxy started"/);
    const started = proxy.output().split("\n").find((l) => l.includes('"llm-proxy started"'));
    expect(JSON.parse(started ?? "{}")).toMatchObject({ level: 30, mode: "embedded", storage: "embedded" });
    expect(proxy.output()).toContain(`"file":"${path.join(dir, ".env")}"`);
    const health = (await (await fetch(`${url}/health`)).json()) as { checks: Record<string, { status: string }> };
    expect(health.checks.redis?.status).toBe("up");
    expect((await fetch(`${url}/metrics`)).status).toBe(200); // ENABLE_METRICS=true
  });

  it("takes its management token and MAX_REQUEST_SIZE=10MB", async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const project = (await (await fetch(`${url}/manage/projects`, { method: "POST", headers: auth, body: JSON.stringify({ name: "original", api_key: "sk-upstream-0123456789" }) })).json()) as { id: string };
    const created = await fetch(`${url}/manage/tokens`, { method: "POST", headers: auth, body: JSON.stringify({ project_id: project.id, duration_minutes: 5 }) });
    const { token } = (await created.json()) as { token: string };
    const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x".repeat(10 * 1024 * 1024) }] });
    const tooLarge = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body });
    expect(tooLarge.status).toBe(413);
  });

  it("names each of the original's settings that do not apply here in one warning, and nothing else", () => {
    const out = proxy.output();
    for (const variable of IGNORED) {
      const lines = mentions(out, variable);
      expect(lines, variable).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? "{}"), variable).toMatchObject({ level: 40, setting: variable });
    }
    for (const variable of HONOURED) expect(mentions(out, variable), variable).toEqual([]);
    expect(out).not.toContain(TOKEN);
  });

  it("the dispatcher reads the same ./.env and warns about the same settings, and starts", async () => {
    const child = spawn(process.execPath, [DISPATCHER], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", DISPATCHER_HTTP_ADDR: "127.0.0.1:0", REDIS_CONSUMER_NAME: `original-env-${process.pid}`, REDIS_STREAM_KEY: `original-env-${process.pid}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    try {
      await expect.poll(() => out, { timeout: 20_000 }).toContain("dispatcher started");
      for (const variable of IGNORED) expect(mentions(out, variable), variable).toHaveLength(1);
      for (const variable of HONOURED) expect(mentions(out, variable), variable).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});

describe("the original's SQLite data", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-original-db-"));
    await fs.mkdir(path.join(dir, "data"));
    await fs.writeFile(path.join(dir, "data/llm-proxy.db"), Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(4080)]));
    await fs.writeFile(path.join(dir, ".env"), "DB_DRIVER=sqlite\nDATABASE_PATH=./data/llm-proxy.db\nLISTEN_ADDR=127.0.0.1:0\nADMIN_UI_ENABLED=false\n");
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("stops npm start with the import command to run; migrate commands still run", async () => {
    const serve = runProxy([], { LLM_PROXY_DOTENV: "true" }, dir);
    expect(await serve.exited).toBe(1);
    const file = path.join(dir, "data/llm-proxy.db");
    expect(serve.output()).toContain(`llm-proxy: DATABASE_PATH: ${file} holds the original llm-proxy's SQLite data (DB_DRIVER=sqlite). Import it first:\n  npm run migrate -- import --from ${file}\n`);
    const status = runProxy(["migrate", "status"], { LLM_PROXY_DOTENV: "true" }, dir);
    expect(await status.exited).toBe(0);
  });
});
