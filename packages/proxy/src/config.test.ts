import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HONOURED_ORIGINAL_SETTINGS, IGNORED_ORIGINAL_SETTINGS } from "@llm-proxy/config";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig, parseDuration, startEnv } from "./config.js";

describe("config", () => {
  it("defaults to embedded mode with zero configuration", () => {
    const c = loadConfig({});
    expect(c.mode).toBe("embedded");
    expect(c.listen).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(c.adminUi.listen).toEqual({ host: "127.0.0.1", port: 8081 });
    expect(c.managementToken).toBeUndefined();
  });

  it("switches to services mode on DATABASE_URL and then requires MANAGEMENT_TOKEN", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://db.internal/x" })).toThrow(/MANAGEMENT_TOKEN: required/);
    const c = loadConfig({ DATABASE_URL: "postgres://db.internal/x", MANAGEMENT_TOKEN: "m".repeat(32) });
    expect(c.storage).toMatchObject({ kind: "postgres", ssl: "require", poolSize: 10 });
    expect(loadConfig({ DATABASE_URL: "postgres://127.0.0.1/x", MANAGEMENT_TOKEN: "m".repeat(32) }).storage).toMatchObject({ ssl: "disable" });
  });

  it("types the mode: only embedded mode may lack a management token, and its storage is PGlite", () => {
    const c = loadConfig({ DATABASE_URL: "postgres://db.internal/x", MANAGEMENT_TOKEN: "m".repeat(32) });
    if (c.mode === "services") {
      expectTypeOf(c.managementToken).toEqualTypeOf<string>();
      expectTypeOf(c.storage.kind).toEqualTypeOf<"postgres">();
    } else {
      expectTypeOf(c.managementToken).toEqualTypeOf<string | undefined>();
      expectTypeOf(c.storage.kind).toEqualTypeOf<"embedded">();
    }
    expect(c.mode).toBe("services");
    // With Redis, events go to the stream: a file event log does not type-check (nor load).
    const shared = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" });
    if (shared.redis) expectTypeOf(shared.events.fileLog).toEqualTypeOf<undefined>();
    else expectTypeOf(shared.events.fileLog).toEqualTypeOf<string | undefined>();
    expect(() => loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", FILE_EVENT_LOG: "./e.jsonl" })).toThrow(/^FILE_EVENT_LOG: only used without Redis/);
  });

  it("reads every value in the shared forms: Go durations, sizes, booleans in any case, blank as unset", () => {
    const c = loadConfig({ REQUEST_TIMEOUT: "1h30m", SHUTDOWN_TIMEOUT: "45", MAX_REQUEST_SIZE: "10MB", HTTP_CACHE_MAX_BYTES: "1GiB", ADMIN_UI_ENABLED: "FALSE", HTTP_CACHE_SHARED: "t", LOG_LEVEL: "DEBUG", DATA_DIR: " ", METRICS_TOKEN: "" });
    expect([c.shutdownTimeoutMs, c.gateway.maxBodyBytes, c.cache?.maxBytes, c.adminUi.enabled, c.cache?.shared, c.log.level]).toEqual([45_000, 10 * 1024 * 1024, 1024 ** 3, false, true, "debug"]);
    expect(c.gateway.providers[0]?.headersTimeoutMs).toBe(5_400_000);
    expect([c.dataDir.endsWith("/data"), c.metrics.token]).toEqual([true, undefined]);
  });

  it("lists every problem at once, one line each", () => {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT: "soon", ADMIN_UI_ENABLED: "maybe", SST_RESOURCE_Cache: "{" })).toThrow(
      new ConfigError(['SST_RESOURCE_Cache: expected JSON (an SST link)', 'ADMIN_UI_ENABLED: expected true or false (also 1/0, t/f, yes/no, in any case), got "maybe"', 'SHUTDOWN_TIMEOUT: expected a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds), got "soon"'].join("\n")),
    );
  });

  it("listens on loopback only in embedded mode unless told otherwise; services mode on every interface", () => {
    const services = { DATABASE_URL: "postgres://db.internal/x", MANAGEMENT_TOKEN: "m".repeat(32) };
    expect([loadConfig(services).listen, loadConfig(services).adminUi.listen]).toEqual([{ host: "0.0.0.0", port: 8080 }, { host: "0.0.0.0", port: 8081 }]);
    const open = loadConfig({ LISTEN_ADDR: ":8080", ADMIN_UI_LISTEN_ADDR: ":8081" });
    expect([open.listen, open.adminUi.listen]).toEqual([{ host: "0.0.0.0", port: 8080 }, { host: "0.0.0.0", port: 8081 }]);
    expect(loadConfig({ LISTEN_ADDR: "", ADMIN_UI_LISTEN_ADDR: "192.168.1.5:9000" }).adminUi.listen).toEqual({ host: "192.168.1.5", port: 9000 });
    expect(loadConfig({ LISTEN_ADDR: "" }).listen).toEqual({ host: "127.0.0.1", port: 8080 });
  });

  it("reads SST links before plain env", () => {
    const c = loadConfig({
      DATABASE_URL: "postgres://ignored/x",
      SST_RESOURCE_Database: JSON.stringify({ host: "aurora.example", port: 5432, username: "u", password: "p@ss", database: "llm" }),
      SST_RESOURCE_ManagementToken: JSON.stringify({ value: "linked-management-token" }),
    });
    expect(c.storage).toMatchObject({ kind: "postgres", url: "postgres://u:p%40ss@aurora.example:5432/llm" });
    expect(c.managementToken).toBe("linked-management-token");
  });

  it("joins DATABASE_PASSWORD and REDIS_PASSWORD (ECS secrets) into URLs that carry none", () => {
    const c = loadConfig({
      DATABASE_URL: "postgres://postgres@aurora.example:5432/llm_proxy",
      DATABASE_PASSWORD: "p@ss:/w?#",
      REDIS_URL: "rediss://redis.example:6379",
      REDIS_PASSWORD: "a!&#$^<>-",
      MANAGEMENT_TOKEN: "m".repeat(32),
    });
    expect(c.storage).toMatchObject({ kind: "postgres", url: "postgres://postgres:p%40ss%3A%2Fw%3F%23@aurora.example:5432/llm_proxy", ssl: "require" });
    const redis = new URL(c.redis?.url ?? "");
    expect([redis.protocol, redis.username, decodeURIComponent(redis.password), redis.host]).toEqual(["rediss:", "default", "a!&#$^<>-", "redis.example:6379"]);
    // A user named in the URL stays; without a password the URLs are untouched.
    expect(loadConfig({ REDIS_URL: "redis://app@127.0.0.1:6379/2", REDIS_PASSWORD: "pw" }).redis?.url).toBe("redis://app:pw@127.0.0.1:6379/2");
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).redis?.url).toBe("redis://127.0.0.1:6379");
  });

  it("refuses a password given twice, naming the setting but not the value", () => {
    const env = { DATABASE_URL: "postgres://u:inurl@db.example/x", DATABASE_PASSWORD: "separate-secret", MANAGEMENT_TOKEN: "m".repeat(32) };
    expect(() => loadConfig(env)).toThrow(new ConfigError("DATABASE_PASSWORD: DATABASE_URL already carries a password; set it in one place only"));
  });

  it("treats a Cache link to a loopback host as plain Redis, any other as TLS", () => {
    const link = (host: string) => loadConfig({ SST_RESOURCE_Cache: JSON.stringify({ host, port: 6379, username: "default", password: "" }) }).redis?.url;
    expect(link("127.0.0.2")).toBe("redis://127.0.0.2:6379");
    expect(link("localhost")).toBe("redis://localhost:6379");
    expect(link("::1")).toMatch(/^redis:\/\//);
    expect(link("master.cache.amazonaws.com")).toBe("rediss://master.cache.amazonaws.com:6379");
  });

  it.each([
    [{ LISTEN_ADDR: "8080" }, 'LISTEN_ADDR: expected "host:port", "[ipv6]:port" or ":port" (every interface), got "8080"'],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL: expected a postgres:// or postgresql:// URL"],
    [{ ENCRYPTION_KEY: "c2hvcnQ=" }, "ENCRYPTION_KEY: expected base64 of exactly 32 bytes (openssl rand -base64 32)"],
    [{ REQUIRE_ENCRYPTION_KEY: "true" }, "ENCRYPTION_KEY: required because REQUIRE_ENCRYPTION_KEY=true"],
    [{ DATABASE_POOL_SIZE: "0" }, 'DATABASE_POOL_SIZE: expected a whole number from 1 to 1000, got "0"'],
    [{ ADMIN_UI_ENABLED: "maybe" }, 'ADMIN_UI_ENABLED: expected true or false (also 1/0, t/f, yes/no, in any case), got "maybe"'],
    [{ SHUTDOWN_TIMEOUT: "soon" }, 'SHUTDOWN_TIMEOUT: expected a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds), got "soon"'],
    [{ MAX_REQUEST_SIZE: "lots" }, 'MAX_REQUEST_SIZE: expected a size such as 1048576, 512KB, 10MB or 1GiB (a bare number is bytes; KB = KiB = 1024 bytes), got "lots"'],
    [{ LOG_LEVEL: "loud" }, 'LOG_LEVEL: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "loud"'],
    [{ REDIS_ADDR: "cache" }, 'REDIS_ADDR: expected "host:port"'],
    [{ SST_RESOURCE_ManagementToken: "{}" }, 'SST_RESOURCE_ManagementToken: expected SST link JSON with value (Invalid input: expected string, received undefined)'],
    [{ MANAGEMENT_TOKEN: "short" }, "MANAGEMENT_TOKEN: expected at least 16 characters"],
    [{ SST_RESOURCE_Database: "{" }, "SST_RESOURCE_Database: expected JSON (an SST link)"],
  ])("rejects %j naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it.each(["http://127.0.0.1:9999/v1", "http://127.0.0.1:9999/v1/", "http://127.0.0.1:9999"])("takes OPENAI_API_URL=%s without doubling /v1", (url) => {
    const [p] = loadConfig({ OPENAI_API_URL: url }).gateway.providers;
    expect([p?.origin, p?.basePath]).toEqual(["http://127.0.0.1:9999", ""]);
    expect(loadConfig({ OPENAI_API_URL: "http://127.0.0.1:9999/openai/v1" }).gateway.providers[0]?.basePath).toBe("/openai");
  });

  it("parses Go-style durations", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("45")).toBe(45_000);
    expect(parseDuration("-1s")).toBeUndefined();
  });
});

describe("documentation stays true to the schema", () => {
  const root = new URL("../../../", import.meta.url);
  it(".env.example names only real variables and its values load", async () => {
    const fs = await import("node:fs/promises");
    const { CONFIG_VARIABLES } = await import("./config.js");
    const text = await fs.readFile(new URL(".env.example", root), "utf8");
    const names = [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names.filter((n) => !CONFIG_VARIABLES.includes(n as string))).toEqual([]);
    const env = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => loadConfig(env)).not.toThrow();
  });

  it("the image listens on every interface (embedded mode alone would bind loopback, unreachable in a container)", async () => {
    const fs = await import("node:fs/promises");
    const dockerfile = await fs.readFile(new URL("Dockerfile", root), "utf8");
    const proxyStage = dockerfile.slice(dockerfile.indexOf("AS proxy"), dockerfile.indexOf("AS dispatcher"));
    const env = Object.fromEntries([...proxyStage.matchAll(/^ENV (.+)$/gm)].flatMap((m) => (m[1] ?? "").split(/\s+/).map((kv) => kv.split("="))));
    const c = loadConfig(env);
    expect([c.mode, c.listen, c.adminUi.listen]).toEqual(["embedded", { host: "0.0.0.0", port: 8080 }, { host: "0.0.0.0", port: 8081 }]);
  });

  it("the shipped example providers file loads", () => {
    const file = new URL("config/api_providers.example.yaml", root).pathname;
    const providers = loadConfig({ API_CONFIG_PATH: file }).gateway.providers;
    expect(providers.map((p) => [p.name, p.mount, p.origin, p.auth])).toEqual([
      ["openai", "", "https://api.openai.com", "bearer"],
      ["anthropic", "/anthropic", "https://api.anthropic.com", "x-api-key"],
    ]);
  });

  it("README's configuration table lists every variable", async () => {
    const fs = await import("node:fs/promises");
    const { CONFIG_VARIABLES } = await import("./config.js");
    const readme = await fs.readFile(new URL("README.md", root), "utf8");
    expect(CONFIG_VARIABLES.filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });
});

describe("the original's configuration", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-proxy-original-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads its value forms: LOG_FORMAT text is the human-readable form, LOG_LEVEL in any case, DEBUG=1 forces debug", () => {
    expect(loadConfig({ LOG_FORMAT: "text", LOG_LEVEL: "WARN" }).log).toEqual({ format: "console", level: "warn" });
    expect(loadConfig({ LOG_FORMAT: "JSON" }).log.format).toBe("json");
    expect(loadConfig({ DEBUG: "true" }).log.level).toBe("debug");
    expect(loadConfig({ DEBUG: "express:*" }).log.level).toBe("info");
  });

  it("picks the event bus as LLM_PROXY_EVENT_BUS says: redis and redis-streams are the stream, in-memory stays in-process", () => {
    const redis = { REDIS_ADDR: "127.0.0.1:6379" };
    expect(loadConfig(redis).events.bus).toBe("redis-streams");
    expect(loadConfig({ ...redis, LLM_PROXY_EVENT_BUS: "redis" }).events.bus).toBe("redis-streams");
    expect(loadConfig({ ...redis, LLM_PROXY_EVENT_BUS: "in-memory" })).toMatchObject({ redis: { url: "redis://127.0.0.1:6379/0" }, events: { bus: "in-memory" } });
    expect(loadConfig({}).events.bus).toBe("in-memory");
    expect(() => loadConfig({ LLM_PROXY_EVENT_BUS: "redis-streams" })).toThrow(/^LLM_PROXY_EVENT_BUS: the Redis stream needs Redis/);
    expect(() => loadConfig({ LLM_PROXY_EVENT_BUS: "kafka" })).toThrow(/^LLM_PROXY_EVENT_BUS: expected "redis-streams", "redis" or "in-memory", got "kafka"/);
  });

  it("joins REDIS_PASSWORD into the address the original gives as REDIS_ADDR + REDIS_DB", () => {
    expect(loadConfig({ REDIS_ADDR: "cache.internal:6380", REDIS_DB: "2", REDIS_PASSWORD: "s3cret" }).redis?.url).toBe("redis://default:s3cret@cache.internal:6380/2");
  });

  it("stops on a DATABASE_PATH holding the original's SQLite data (DB_DRIVER sqlite or unset), not on a missing file", () => {
    const dir = tmp();
    const file = path.join(dir, "llm-proxy.db");
    expect(loadConfig({ DB_DRIVER: "sqlite", DATABASE_PATH: file }).originalSqliteData).toBeUndefined();
    fs.writeFileSync(file, Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(84)]));
    expect(loadConfig({ DB_DRIVER: "SQLite", DATABASE_PATH: file }).originalSqliteData).toBe(file);
    expect(loadConfig({ DATABASE_PATH: file }).originalSqliteData).toBe(file);
    expect(loadConfig({ DATABASE_PATH: file, DATABASE_URL: "postgres://127.0.0.1/x", MANAGEMENT_TOKEN: "m".repeat(32) }).originalSqliteData).toBeUndefined();
    expect(() => loadConfig({ DB_DRIVER: "postgres" })).toThrow(/^DB_DRIVER: postgres needs DATABASE_URL/);
    expect(() => loadConfig({ DB_DRIVER: "mysql" })).toThrow(/^DB_DRIVER: MySQL is not supported/);
  });

  it("names each set setting of the original that does not apply here, blank ones not", () => {
    const c = loadConfig({ ENABLE_TLS: "false", CORS_ALLOWED_ORIGINS: "*", DISTRIBUTED_RATE_LIMIT_KEY_SECRET: "", MODEL: "gpt-4o" });
    expect(c.ignoredSettings.map((s) => s.name)).toEqual(["CORS_ALLOWED_ORIGINS", "ENABLE_TLS"]);
    expect(loadConfig({}).ignoredSettings).toEqual([]);
  });

  it("accounts for every setting of the original: read by the service the table names, or ignored with a reason", () => {
    const proxy = Object.entries(HONOURED_ORIGINAL_SETTINGS).filter(([name, where]) => where.includes("proxy") && name !== "DEBUG").map(([name]) => name);
    expect(proxy.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
    const both = Object.keys(HONOURED_ORIGINAL_SETTINGS).filter((name) => name in IGNORED_ORIGINAL_SETTINGS);
    expect(both).toEqual([]);
  });

  it("starts from the process environment over ./.env (or ENV), with the original's providers file when present", () => {
    const dir = tmp();
    expect(startEnv({ PATH: "/bin" }, dir)).toEqual({ env: { PATH: "/bin" }, file: undefined });
    fs.writeFileSync(path.join(dir, ".env"), "LOG_LEVEL=DEBUG   # inline comment\nLISTEN_ADDR=:9000\nREDIS_CONSUMER_NAME=      # blank\n");
    fs.mkdirSync(path.join(dir, "config"));
    fs.writeFileSync(path.join(dir, "config", "api_providers.yaml"), "default_api: openai\napis: {}\n");
    const start = startEnv({ LISTEN_ADDR: "127.0.0.1:0" }, dir);
    expect(start.file).toBe(path.join(dir, ".env"));
    expect(start.env).toEqual({ LOG_LEVEL: "DEBUG", LISTEN_ADDR: "127.0.0.1:0", REDIS_CONSUMER_NAME: "", API_CONFIG_PATH: "./config/api_providers.yaml" });
    expect(startEnv({ API_CONFIG_PATH: "/etc/p.yaml" }, dir).env.API_CONFIG_PATH).toBe("/etc/p.yaml");
    fs.writeFileSync(path.join(dir, "other.env"), "LOG_LEVEL=error\n");
    expect(startEnv({ ENV: "other.env" }, dir).env.LOG_LEVEL).toBe("error");
    expect(() => startEnv({ ENV: "missing.env" }, dir)).toThrow(/^ENV: cannot read .*missing\.env \(ENOENT\)/);
    expect(startEnv({ LLM_PROXY_DOTENV: "false" }, dir)).toEqual({ env: { LLM_PROXY_DOTENV: "false" }, file: undefined });
    expect(() => startEnv({ LLM_PROXY_DOTENV: "maybe" }, dir)).toThrow(/^LLM_PROXY_DOTENV: expected true or false/);
  });
});
