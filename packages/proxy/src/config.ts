import fs from "node:fs";
import path from "node:path";
import { ConfigError, Problems, ignoredOriginalSettings, isLoopbackHost, linkedDatabaseUrl, linkedRedisUrl, linkedSecret, loadDotenv, parseBoolean, parseDuration, readEnv, readSstLinks, resolveRedisUrl, type Env, type LogLevel, type SstLinks, type StartEnv } from "@llm-proxy/config";
import { loadProviders, type Provider } from "./gateway/providers.js";
import { loadPricing, type Pricing } from "./usage/pricing.js";
import { parseTrustedProxies, type TrustedProxies } from "./api/client-ip.js";
import { CONFIG_VARIABLES, envSchema, type ProxyEnv } from "./config-schema.js";

/**
 * The proxy's configuration, parsed once at boot from the environment (and SST links, which take
 * precedence) into a typed, frozen object. A bad setting throws one ConfigError listing every
 * problem, each naming its variable. Only this module (through @llm-proxy/config) reads env.
 */

export { CONFIG_VARIABLES, ConfigError, parseDuration };

/** Where the data lives: an in-process PGlite in DATA_DIR, or a PostgreSQL server. */
export type StorageConfig = EmbeddedStorage | PostgresStorage;
export type EmbeddedStorage = { kind: "embedded"; dataDir: string };
export type PostgresStorage = { kind: "postgres"; url: string; poolSize: number; ssl: "disable" | "require" | "verify-full" };

type Listen = { host: string; port: number };

interface CommonConfig {
  listen: Listen;
  adminUi: {
    enabled: boolean;
    listen: Listen;
    secureCookies: boolean;
    /** Undefined: derived from the management token. */
    sessionSecret: string | undefined;
    /** The management API the standalone `admin` command talks to. */
    apiBaseUrl: string;
  };
  /** The proxy's URL as clients reach it (token snippets); undefined: the API listener's URL. */
  publicBaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: Buffer | undefined;
  log: { level: LogLevel; format: "json" | "console" };
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
    /** The price table: built in, with PRICING_PATH's entries over it. */
    pricing: Pricing;
  };
  rateLimit: { defaultRpm: number; failMode: "open" | "closed" };
  cache:
    | { defaultTtlSeconds: number; maxObjectBytes: number; maxBytes: number; streamResponses: boolean; shared: boolean; redisPrefix: string }
    | undefined;
  metrics: { enabled: boolean; token: string | undefined };
  /** Settings of the Go original that are set but do not apply here: one start-up warning each. */
  ignoredSettings: { name: string; why: string }[];
  /** The original's SQLite file (DB_DRIVER=sqlite, DATABASE_PATH): `serve` stops until it is imported. */
  originalSqliteData: string | undefined;
}

export type RedisConfig = { url: string; cluster: boolean; commandTimeoutMs: number; prefix: string; tlsCa: string | undefined };
type EventsConfig = { enabled: boolean; bus: "redis-streams" | "in-memory"; bufferSize: number; stream: string; maxLen: number; consumerGroup: string };

/** With Redis, events go to the stream (the dispatcher's file sink writes files), so no fileLog. */
export type SharedState = { redis: RedisConfig; events: EventsConfig & { fileLog: undefined } };
/** Without Redis, everything is in-process; events may also be written to a JSONL file. */
export type InProcessState = { redis: undefined; events: EventsConfig & { fileLog: string | undefined } };

/** No DATABASE_URL: PGlite in DATA_DIR; without MANAGEMENT_TOKEN the server generates and keeps one. */
export type EmbeddedConfig = CommonConfig & (SharedState | InProcessState) & { mode: "embedded"; storage: EmbeddedStorage; managementToken: string | undefined };

/** DATABASE_URL (or the SST Database link) set: any number of instances, a management token given. */
export type ServicesConfig = CommonConfig & (SharedState | InProcessState) & { mode: "services"; storage: PostgresStorage; managementToken: string };

/** Impossible combinations do not type-check: a services config without a token, a file event log with Redis. */
export type Config = EmbeddedConfig | ServicesConfig;

/**
 * Parses `env` (the process environment unless a test or a command hands one over; `overrides`
 * win over it: command-line flags).
 */
export function loadConfig(env: Env = process.env, overrides: Env = {}): Config {
  const problems = new Problems();
  const links = readSstLinks(env, problems);
  const e = readEnv(envSchema, { ...linkedEnv(env, links, problems), ...overrides }, problems);
  const redisUrl = resolveRedisUrl(linkedRedisUrl(links, problems), e, problems);
  const mode = e.DATABASE_URL ? "services" : "embedded";
  if (mode === "services" && e.MANAGEMENT_TOKEN === undefined) problems.add("MANAGEMENT_TOKEN", "required when DATABASE_URL is set (only the embedded mode generates one)");
  if (redisUrl && e.FILE_EVENT_LOG) problems.add("FILE_EVENT_LOG", "only used without Redis (with Redis, events go to the stream; use the dispatcher's file sink)");
  if (e.REQUIRE_ENCRYPTION_KEY && e.ENCRYPTION_KEY === undefined) problems.add("ENCRYPTION_KEY", "required because REQUIRE_ENCRYPTION_KEY=true");
  const databaseUrl = withDatabasePassword(e.DATABASE_URL, e.DATABASE_PASSWORD, problems);
  const trustedProxies = trusted(e.TRUSTED_PROXIES, problems);
  const tlsCa = readCa(e.REDIS_TLS_CA_FILE, problems);
  const originalSqliteData = originalDatabase(e, problems);
  if (e.LLM_PROXY_EVENT_BUS === "redis-streams" && redisUrl === undefined) problems.add("LLM_PROXY_EVENT_BUS", "the Redis stream needs Redis: set REDIS_URL (or REDIS_ADDR), or unset it for the in-process bus");
  problems.throwIfAny();

  const debug = parseBoolean(env.DEBUG ?? "") === true; // the original's DEBUG=1; other DEBUG values belong to other tools
  const common = {
    ...commonConfig(e, mode, trustedProxies, debug),
    ...state(e, redisUrl, tlsCa),
    ignoredSettings: ignoredOriginalSettings(env),
    originalSqliteData,
  };
  if (databaseUrl !== undefined && e.MANAGEMENT_TOKEN !== undefined) {
    const ssl = e.DATABASE_SSL !== "auto" ? e.DATABASE_SSL : isLoopbackHost(new URL(databaseUrl).hostname) ? "disable" : "require";
    const storage: PostgresStorage = { kind: "postgres", url: databaseUrl, poolSize: e.DATABASE_POOL_SIZE, ssl };
    return Object.freeze({ ...common, mode: "services", storage, managementToken: e.MANAGEMENT_TOKEN });
  }
  const storage: EmbeddedStorage = { kind: "embedded", dataDir: path.resolve(e.DATA_DIR, "db") };
  return Object.freeze({ ...common, mode: "embedded", storage, managementToken: e.MANAGEMENT_TOKEN });
}

/** The SST links the proxy uses, written over the plain variables they stand for. */
function linkedEnv(env: Env, links: SstLinks, problems: Problems): Env {
  return {
    ...env,
    DATABASE_URL: linkedDatabaseUrl(links, problems) ?? env.DATABASE_URL,
    MANAGEMENT_TOKEN: linkedSecret(links, "ManagementToken", problems) ?? env.MANAGEMENT_TOKEN,
    ENCRYPTION_KEY: linkedSecret(links, "EncryptionKey", problems) ?? env.ENCRYPTION_KEY,
  };
}

/** Redis and the event stream, or everything in-process (events optionally to a file). */
function state(e: ProxyEnv, redisUrl: string | undefined, tlsCa: string | undefined): SharedState | InProcessState {
  const bus: EventsConfig["bus"] = redisUrl !== undefined && e.LLM_PROXY_EVENT_BUS !== "in-memory" ? "redis-streams" : "in-memory";
  const events = { enabled: e.OBSERVABILITY_ENABLED, bus, bufferSize: e.OBSERVABILITY_BUFFER_SIZE, stream: e.REDIS_STREAM_KEY, maxLen: e.REDIS_STREAM_MAX_LEN, consumerGroup: e.REDIS_CONSUMER_GROUP };
  if (redisUrl === undefined) return { redis: undefined, events: { ...events, fileLog: e.FILE_EVENT_LOG } };
  const redis = { url: redisUrl, cluster: e.REDIS_CLUSTER, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT, prefix: e.REDIS_KEY_PREFIX, tlsCa };
  return { redis, events: { ...events, fileLog: undefined } };
}

function commonConfig(e: ProxyEnv, mode: Config["mode"], trustedProxies: TrustedProxies, debug: boolean): Omit<CommonConfig, "ignoredSettings" | "originalSqliteData"> {
  // A laptop's `npm start` serves the management API, admin UI and /metrics: local unless asked.
  const defaultHost = mode === "embedded" ? "127.0.0.1" : "0.0.0.0";
  return {
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
    encryptionKey: e.ENCRYPTION_KEY,
    log: { level: debug ? "debug" : e.LOG_LEVEL, format: e.LOG_FORMAT === "json" ? "json" : "console" },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    shutdownDelayMs: e.SHUTDOWN_DELAY,
    managementMaxBodyBytes: e.MANAGEMENT_MAX_BODY_BYTES,
    trustedProxies,
    gateway: {
      providers: loadProviders(e.API_CONFIG_PATH, e.OPENAI_API_URL, { headersTimeoutMs: e.REQUEST_TIMEOUT, streamIdleTimeoutMs: e.STREAM_IDLE_TIMEOUT }, e.DEFAULT_API_PROVIDER),
      maxBodyBytes: e.MAX_REQUEST_SIZE,
      tokenCache: { ttlMs: e.TOKEN_CACHE_TTL, max: e.TOKEN_CACHE_MAX },
      projectCache: { ttlMs: e.LLM_PROXY_ACTIVE_CACHE_TTL, max: e.LLM_PROXY_ACTIVE_CACHE_MAX },
      enforceProjectActive: e.LLM_PROXY_ENFORCE_PROJECT_ACTIVE,
      usageFlushIntervalMs: e.USAGE_FLUSH_INTERVAL,
      breaker: { threshold: e.CIRCUIT_BREAKER_THRESHOLD, cooldownMs: e.CIRCUIT_BREAKER_COOLDOWN },
      pricing: loadPricing(e.PRICING_PATH),
    },
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
    metrics: { enabled: e.ENABLE_METRICS, token: e.METRICS_TOKEN },
  };
}

/**
 * Joins a separately delivered password into a database URL without one. A URL that already
 * carries a password is ambiguous: refused, naming both. (Redis: resolveRedisUrl, shared with the
 * dispatcher.)
 */
function withDatabasePassword(url: string | undefined, password: string | undefined, problems: Problems): string | undefined {
  if (!url || !password) return url;
  const parsed = new URL(url); // the schema checked it
  if (parsed.password !== "") problems.add("DATABASE_PASSWORD", "DATABASE_URL already carries a password; set it in one place only");
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}

function trusted(text: string | undefined, problems: Problems): TrustedProxies {
  try {
    return parseTrustedProxies(text);
  } catch (err) {
    problems.add("TRUSTED_PROXIES", (err as Error).message);
    return { kind: "none" };
  }
}

function readCa(file: string | undefined, problems: Problems): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    problems.add("REDIS_TLS_CA_FILE", `cannot read ${file}`);
    return undefined;
  }
}

/** SQLite's file header: the original's DATABASE_PATH holds data only when its file starts with it. */
const SQLITE_HEADER = "SQLite format 3\0";

/**
 * The original's database settings: `postgres` needs DATABASE_URL; `sqlite` (its default, so also
 * DB_DRIVER unset without DATABASE_URL) is the embedded database here, and a DATABASE_PATH that
 * holds a SQLite database is returned (resolved) so that `serve` stops with the import command.
 */
function originalDatabase(e: ProxyEnv, problems: Problems): string | undefined {
  if (e.DB_DRIVER === "postgres" && !e.DATABASE_URL) problems.add("DB_DRIVER", "postgres needs DATABASE_URL");
  const sqlite = e.DB_DRIVER === "sqlite" || (e.DB_DRIVER === undefined && !e.DATABASE_URL);
  if (!sqlite || !e.DATABASE_PATH) return undefined;
  const file = path.resolve(e.DATABASE_PATH);
  try {
    const fd = fs.openSync(file, "r");
    try {
      const head = Buffer.alloc(SQLITE_HEADER.length);
      fs.readSync(fd, head, 0, head.length, 0);
      return head.toString("latin1") === SQLITE_HEADER ? file : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined; // no file yet: nothing to import
  }
}

/**
 * The environment `npm start` runs with: the process environment over `./.env` (or the file ENV
 * names), and `API_CONFIG_PATH` defaulting to the original's `./config/api_providers.yaml` when
 * that file exists. `LLM_PROXY_DOTENV=false` turns both working-directory defaults off (tests).
 */
export function startEnv(processEnv: Env = process.env, cwd = process.cwd()): StartEnv {
  const start = loadDotenv(processEnv, cwd);
  if (parseBoolean(processEnv.LLM_PROXY_DOTENV ?? "") === false || start.env.API_CONFIG_PATH?.trim()) return start;
  const providers = path.join("config", "api_providers.yaml");
  return fs.existsSync(path.resolve(cwd, providers)) ? { ...start, env: { ...start.env, API_CONFIG_PATH: `./${providers}` } } : start;
}
