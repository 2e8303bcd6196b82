import fs from "node:fs";
import path from "node:path";
import { cacheLinkUrl, withRedisPassword } from "@llm-proxy/events/redis-url";
import { z } from "zod";
import { ConfigError, parseDuration } from "./config-errors.js";
import { loadProviders, type Provider } from "./gateway/providers.js";
import { parseTrustedProxies, type TrustedProxies } from "./api/client-ip.js";

/**
 * The one place that reads the environment. `loadConfig` parses it once at boot into a typed,
 * frozen object; a bad value throws a ConfigError whose message names the variable.
 */

export { ConfigError, parseDuration };

type Env = Record<string, string | undefined>;

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
    .optional()
    .transform((v) => (v === undefined ? fallback : ["true", "1", "yes"].includes(v)));

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** Durations accept Go-style strings ("30s", "5m", "1h", "250ms") or plain seconds. */
const duration = (fallbackMs: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallbackMs;
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: 'expected a duration such as "30s", "5m" or "250ms"' });
        return z.NEVER;
      }
      return ms;
    });


/** Unset: undefined, and loadConfig picks the host by mode (embedded: loopback only). */
const listenAddr = (fallback?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const text = v === undefined || v === "" ? fallback : v;
      if (text === undefined) return undefined;
      const m = /^(.*):(\d{1,5})$/.exec(text);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port > 65535) {
        ctx.addIssue({ code: "custom", message: 'expected "host:port" or ":port"' });
        return z.NEVER;
      }
      const host = (m[1] ?? "").replace(/^\[(.*)\]$/, "$1");
      return { host: host === "" ? "0.0.0.0" : host, port };
    });

const encryptionKey = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    const key = Buffer.from(v, "base64");
    if (key.length !== 32) {
      ctx.addIssue({ code: "custom", message: "expected base64 of exactly 32 bytes (openssl rand -base64 32)" });
      return z.NEVER;
    }
    return key;
  });

const envSchema = z.object({
  LISTEN_ADDR: listenAddr(),
  ADMIN_UI_LISTEN_ADDR: listenAddr(),
  ADMIN_UI_ENABLED: bool(true),
  ADMIN_UI_SECURE_COOKIES: bool(false),
  ADMIN_UI_SESSION_SECRET: z.string().min(16, "expected at least 16 characters").optional(),
  ADMIN_UI_API_BASE_URL: z.url({ protocol: /^https?$/, message: "expected an http(s) URL" }).default("http://localhost:8080"),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, message: "expected an http(s) URL" }).optional(),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^postgres(ql)?:\/\//.test(v), {
      message: "expected a postgres:// or postgresql:// URL",
    }),
  DATABASE_POOL_SIZE: int(10, 1, 1000),
  DATABASE_SSL: z.enum(["auto", "disable", "require", "verify-full"]).default("auto"),
  // Joined into DATABASE_URL / REDIS_URL (which then carry none): how ECS secrets deliver them.
  DATABASE_PASSWORD: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  MANAGEMENT_TOKEN: z.string().optional(),
  ENCRYPTION_KEY: encryptionKey,
  REQUIRE_ENCRYPTION_KEY: bool(false),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "console"]).default("json"),
  SHUTDOWN_TIMEOUT: duration(30_000),
  SHUTDOWN_DELAY: duration(0),
  MANAGEMENT_MAX_BODY_BYTES: int(1_048_576, 1024),
  TRUSTED_PROXIES: z.string().optional(),
  // Data plane
  API_CONFIG_PATH: z.string().optional(),
  DEFAULT_API_PROVIDER: z.string().optional(),
  OPENAI_API_URL: z.url({ protocol: /^https?$/, message: "expected an http(s) URL" }).default("https://api.openai.com"),
  REQUEST_TIMEOUT: duration(300_000),
  STREAM_IDLE_TIMEOUT: duration(300_000),
  MAX_REQUEST_SIZE: int(20 * 1_048_576, 1024),
  // Bounded: the longest a revoke can go unnoticed by an instance that heard nothing of it.
  TOKEN_CACHE_TTL: duration(300_000).refine((ms) => ms >= 1000 && ms <= 600_000, { message: "expected a duration from 1s to 10m" }),
  TOKEN_CACHE_MAX: int(10_000, 1),
  LLM_PROXY_ACTIVE_CACHE_TTL: duration(5_000),
  LLM_PROXY_ACTIVE_CACHE_MAX: int(10_000, 1),
  LLM_PROXY_ENFORCE_PROJECT_ACTIVE: bool(true),
  USAGE_FLUSH_INTERVAL: duration(5_000),
  CIRCUIT_BREAKER_THRESHOLD: int(5, 0, 1000),
  CIRCUIT_BREAKER_COOLDOWN: duration(30_000),
  // Redis: cache, rate limits, event stream, revocation fan-out
  REDIS_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === "" || /^rediss?:\/\//.test(v), { message: "expected a redis:// or rediss:// URL" }),
  REDIS_ADDR: z.string().optional(),
  REDIS_DB: int(0, 0, 15),
  REDIS_CACHE_URL: z.string().optional(),
  REDIS_CLUSTER: bool(false),
  REDIS_TLS_CA_FILE: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().default("llm-proxy:"),
  REDIS_COMMAND_TIMEOUT: duration(500),
  REDIS_STREAM_KEY: z.string().min(1).default("llm-proxy-events"),
  REDIS_STREAM_MAX_LEN: int(100_000, 0),
  REDIS_CONSUMER_GROUP: z.string().min(1).default("llm-proxy-dispatchers"),
  HTTP_CACHE_ENABLED: bool(true),
  HTTP_CACHE_DEFAULT_TTL: duration(300_000),
  HTTP_CACHE_MAX_OBJECT_BYTES: int(1_048_576, 1),
  HTTP_CACHE_MAX_BYTES: int(64 * 1_048_576, 1024),
  HTTP_CACHE_STREAM_RESPONSES: bool(false),
  HTTP_CACHE_SHARED: bool(false),
  REDIS_CACHE_KEY_PREFIX: z.string().default("llmproxy:cache:"),
  RATE_LIMIT_RPM: int(0, 0, 1_000_000),
  RATE_LIMIT_FAIL_MODE: z.enum(["open", "closed"]).default("open"),
  // Events and metrics
  OBSERVABILITY_ENABLED: bool(true),
  OBSERVABILITY_BUFFER_SIZE: int(10_000, 1),
  FILE_EVENT_LOG: z.string().optional(),
  ENABLE_METRICS: bool(true),
  METRICS_TOKEN: z.string().optional(),
});

/** Every environment variable the proxy reads (SST links aside). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** Where the data lives: an in-process PGlite in DATA_DIR, or a PostgreSQL server. */
export type StorageConfig =
  | { kind: "embedded"; dataDir: string }
  | { kind: "postgres"; url: string; poolSize: number; ssl: "disable" | "require" | "verify-full" };

export interface Config {
  mode: "embedded" | "services";
  listen: { host: string; port: number };
  adminUi: {
    enabled: boolean;
    listen: { host: string; port: number };
    secureCookies: boolean;
    /** Undefined: derived from the management token. */
    sessionSecret: string | undefined;
    /** The management API the standalone `admin` command talks to. */
    apiBaseUrl: string;
  };
  /** The proxy's URL as clients reach it (token snippets); undefined: the API listener's URL. */
  publicBaseUrl: string | undefined;
  dataDir: string;
  storage: StorageConfig;
  /** Undefined only in embedded mode, where main generates and persists one. */
  managementToken: string | undefined;
  encryptionKey: Buffer | undefined;
  log: { level: z.infer<typeof envSchema>["LOG_LEVEL"]; format: "json" | "console" };
  shutdownTimeoutMs: number;
  /** After SIGTERM, keep serving this long with /ready answering 503 before the listeners close. */
  shutdownDelayMs: number;
  managementMaxBodyBytes: number;
  /** Whose X-Forwarded-For is believed when computing the client IP (default: nobody's). */
  trustedProxies: TrustedProxies;
  gateway: {
    providers: Provider[];
    maxBodyBytes: number;
    tokenCache: { ttlMs: number; max: number };
    projectCache: { ttlMs: number; max: number };
    enforceProjectActive: boolean;
    usageFlushIntervalMs: number;
    breaker: { threshold: number; cooldownMs: number };
  };
  redis: { url: string; cluster: boolean; commandTimeoutMs: number; prefix: string; tlsCa: string | undefined } | undefined;
  rateLimit: { defaultRpm: number; failMode: "open" | "closed" };
  cache:
    | { defaultTtlSeconds: number; maxObjectBytes: number; maxBytes: number; streamResponses: boolean; shared: boolean; redisPrefix: string }
    | undefined;
  events: { enabled: boolean; bufferSize: number; fileLog: string | undefined; stream: string; maxLen: number; consumerGroup: string };
  metrics: { enabled: boolean; token: string | undefined };
}

/** SST links reach ECS tasks as `SST_RESOURCE_<Name>` JSON env vars; they take precedence. */
export function readSstLinks(env: Env): Record<string, Record<string, unknown>> {
  const links: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith("SST_RESOURCE_") || !value) continue;
    try {
      links[key.slice("SST_RESOURCE_".length)] = JSON.parse(value) as Record<string, unknown>;
    } catch {
      throw new ConfigError(`${key}: expected JSON (an SST link)`);
    }
  }
  return links;
}

function linkedEnv(env: Env): Env {
  const links = readSstLinks(env);
  const merged: Env = { ...env };
  const db = links.Database;
  if (db && "host" in db) {
    const user = encodeURIComponent(String(db.username ?? "postgres"));
    const pass = encodeURIComponent(String(db.password ?? ""));
    merged.DATABASE_URL = `postgres://${user}:${pass}@${String(db.host)}:${String(db.port ?? 5432)}/${String(db.database ?? "postgres")}`;
  }
  const cache = links.Cache;
  // One rule with the dispatcher (@llm-proxy/events/redis-url): TLS unless the host is loopback.
  if (cache && "host" in cache) {
    merged.REDIS_URL = cacheLinkUrl({ host: String(cache.host), port: String(cache.port ?? 6379), username: String(cache.username ?? "default"), password: String(cache.password ?? "") });
  }
  const secret = (name: string) => {
    const v = links[name]?.value;
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  merged.MANAGEMENT_TOKEN = secret("ManagementToken") ?? merged.MANAGEMENT_TOKEN;
  merged.ENCRYPTION_KEY = secret("EncryptionKey") ?? merged.ENCRYPTION_KEY;
  // Deployed stages: the passwords arrive on their own (ECS secrets), the URLs carry none.
  merged.DATABASE_URL = withDatabasePassword(merged.DATABASE_URL, env.DATABASE_PASSWORD);
  merged.REDIS_URL = merged.REDIS_URL && withRedisPassword(merged.REDIS_URL, env.REDIS_PASSWORD);
  return merged;
}

/**
 * Joins a separately delivered password into a database URL without one. A URL that already
 * carries a password is ambiguous: refused, naming both. (Redis: withRedisPassword, shared with
 * the dispatcher.)
 */
function withDatabasePassword(url: string | undefined, password: string | undefined): string | undefined {
  if (!url || !password) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // the schema names the malformed URL
  }
  if (parsed.password !== "") throw new ConfigError("DATABASE_PASSWORD: DATABASE_URL already carries a password; set it in one place only");
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}

/** REDIS_URL, else the original's REDIS_CACHE_URL, else REDIS_ADDR + REDIS_DB. */
function resolveRedisUrl(e: { REDIS_URL?: string | undefined; REDIS_CACHE_URL?: string | undefined; REDIS_ADDR?: string | undefined; REDIS_DB: number }): string | undefined {
  if (e.REDIS_URL) return e.REDIS_URL;
  if (e.REDIS_CACHE_URL) {
    if (!/^rediss?:\/\//.test(e.REDIS_CACHE_URL)) throw new ConfigError("REDIS_CACHE_URL: expected a redis:// or rediss:// URL");
    return e.REDIS_CACHE_URL;
  }
  if (e.REDIS_ADDR) {
    if (!/^[^\s/:]+:\d{1,5}$/.test(e.REDIS_ADDR)) throw new ConfigError('REDIS_ADDR: expected "host:port"');
    return `redis://${e.REDIS_ADDR}/${e.REDIS_DB}`;
  }
  return undefined;
}

function readCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`REDIS_TLS_CA_FILE: cannot read ${file}`);
  }
}

function isLocalHost(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "::1" || host === "[::1]" || host.startsWith("127.");
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = envSchema.safeParse(linkedEnv(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join(".") ?? "config";
    throw new ConfigError(`${name}: ${issue?.message ?? "invalid value"}`);
  }
  const e = parsed.data;
  const storage: StorageConfig = e.DATABASE_URL
    ? {
        kind: "postgres",
        url: e.DATABASE_URL,
        poolSize: e.DATABASE_POOL_SIZE,
        ssl: e.DATABASE_SSL !== "auto" ? e.DATABASE_SSL : isLocalHost(e.DATABASE_URL) ? "disable" : "require",
      }
    : { kind: "embedded", dataDir: path.resolve(e.DATA_DIR, "db") };
  const mode = storage.kind === "embedded" ? "embedded" : "services";

  const redisUrl = resolveRedisUrl(e);
  const managementToken = e.MANAGEMENT_TOKEN?.trim() || undefined;
  if (managementToken !== undefined && managementToken.length < 16) {
    throw new ConfigError("MANAGEMENT_TOKEN: expected at least 16 characters");
  }
  if (mode === "services" && managementToken === undefined) {
    throw new ConfigError("MANAGEMENT_TOKEN: required when DATABASE_URL is set (only the embedded mode generates one)");
  }
  if (redisUrl && e.FILE_EVENT_LOG) {
    throw new ConfigError("FILE_EVENT_LOG: only used without Redis (with Redis, events go to the stream; use the dispatcher's file sink)");
  }
  if (e.REQUIRE_ENCRYPTION_KEY && e.ENCRYPTION_KEY === undefined) {
    throw new ConfigError("ENCRYPTION_KEY: required because REQUIRE_ENCRYPTION_KEY=true");
  }

  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(e.TRUSTED_PROXIES);
  } catch (err) {
    throw new ConfigError(`TRUSTED_PROXIES: ${(err as Error).message}`);
  }

  // A laptop's `npm start` serves the management API, admin UI and /metrics: local unless asked.
  const defaultHost = mode === "embedded" ? "127.0.0.1" : "0.0.0.0";

  return Object.freeze({
    mode,
    listen: e.LISTEN_ADDR ?? { host: defaultHost, port: 8080 },
    adminUi: {
      enabled: e.ADMIN_UI_ENABLED,
      listen: e.ADMIN_UI_LISTEN_ADDR ?? { host: defaultHost, port: 8081 },
      secureCookies: e.ADMIN_UI_SECURE_COOKIES,
      sessionSecret: e.ADMIN_UI_SESSION_SECRET,
      apiBaseUrl: e.ADMIN_UI_API_BASE_URL,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ""),
    dataDir: path.resolve(e.DATA_DIR),
    storage,
    managementToken,
    encryptionKey: e.ENCRYPTION_KEY,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    shutdownDelayMs: e.SHUTDOWN_DELAY,
    managementMaxBodyBytes: e.MANAGEMENT_MAX_BODY_BYTES,
    trustedProxies,
    gateway: {
      providers: loadProviders(
        e.API_CONFIG_PATH || undefined,
        e.OPENAI_API_URL,
        { headersTimeoutMs: e.REQUEST_TIMEOUT, streamIdleTimeoutMs: e.STREAM_IDLE_TIMEOUT },
        e.DEFAULT_API_PROVIDER || undefined,
      ),
      maxBodyBytes: e.MAX_REQUEST_SIZE,
      tokenCache: { ttlMs: e.TOKEN_CACHE_TTL, max: e.TOKEN_CACHE_MAX },
      projectCache: { ttlMs: e.LLM_PROXY_ACTIVE_CACHE_TTL, max: e.LLM_PROXY_ACTIVE_CACHE_MAX },
      enforceProjectActive: e.LLM_PROXY_ENFORCE_PROJECT_ACTIVE,
      usageFlushIntervalMs: e.USAGE_FLUSH_INTERVAL,
      breaker: { threshold: e.CIRCUIT_BREAKER_THRESHOLD, cooldownMs: e.CIRCUIT_BREAKER_COOLDOWN },
    },
    redis: redisUrl
      ? { url: redisUrl, cluster: e.REDIS_CLUSTER, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT, prefix: e.REDIS_KEY_PREFIX, tlsCa: readCa(e.REDIS_TLS_CA_FILE) }
      : undefined,
    rateLimit: { defaultRpm: e.RATE_LIMIT_RPM, failMode: e.RATE_LIMIT_FAIL_MODE },
    cache: e.HTTP_CACHE_ENABLED
      ? {
          defaultTtlSeconds: Math.round(e.HTTP_CACHE_DEFAULT_TTL / 1000),
          maxObjectBytes: e.HTTP_CACHE_MAX_OBJECT_BYTES,
          maxBytes: e.HTTP_CACHE_MAX_BYTES,
          streamResponses: e.HTTP_CACHE_STREAM_RESPONSES,
          shared: e.HTTP_CACHE_SHARED,
          redisPrefix: e.REDIS_CACHE_KEY_PREFIX,
        }
      : undefined,
    events: {
      enabled: e.OBSERVABILITY_ENABLED,
      bufferSize: e.OBSERVABILITY_BUFFER_SIZE,
      fileLog: e.FILE_EVENT_LOG || undefined,
      stream: e.REDIS_STREAM_KEY,
      maxLen: e.REDIS_STREAM_MAX_LEN,
      consumerGroup: e.REDIS_CONSUMER_GROUP,
    },
    metrics: { enabled: e.ENABLE_METRICS, token: e.METRICS_TOKEN || undefined },
  });
}
