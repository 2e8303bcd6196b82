import { address, boolean, duration, httpUrl, logLevel, oneOf, redisFields, size, text, textOr, url, wholeNumber } from "@llm-proxy/config";
import { z } from "zod";

/**
 * Every environment variable the proxy reads, one field each, in the forms shared with the
 * dispatcher and the CLI (@llm-proxy/config): durations like `30s` (a bare number is seconds),
 * sizes like `10MB` (a bare number is bytes), booleans like `true`/`0`/`yes` in any case.
 */

const MiB = 1_048_576;

const encryptionKey = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const key = Buffer.from(v, "base64");
    if (key.length !== 32) {
      ctx.addIssue({ code: "custom", message: "expected base64 of exactly 32 bytes (openssl rand -base64 32)" });
      return z.NEVER;
    }
    return key;
  });

export const envSchema = z.object({
  // Unset listeners: loadConfig picks the host by mode (embedded: loopback only).
  LISTEN_ADDR: address(),
  ADMIN_UI_LISTEN_ADDR: address(),
  ADMIN_UI_ENABLED: boolean(true),
  ADMIN_UI_SECURE_COOKIES: boolean(false),
  ADMIN_UI_SESSION_SECRET: text(16),
  ADMIN_UI_API_BASE_URL: httpUrl("http://localhost:8080"),
  PUBLIC_BASE_URL: httpUrl(),
  DATA_DIR: textOr("./data"),
  DATABASE_URL: url(["postgres", "postgresql"]),
  // The original's: sqlite (its default) is the embedded database here; postgres needs DATABASE_URL.
  DB_DRIVER: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const d = v?.toLowerCase();
      if (d === undefined || d === "sqlite" || d === "postgres") return d;
      ctx.addIssue({ code: "custom", message: d === "mysql" ? "MySQL is not supported: PostgreSQL (DATABASE_URL) or the embedded database (unset)" : `expected "sqlite" or "postgres", got "${v}"` });
      return z.NEVER;
    }),
  // The original's SQLite file: read only to stop a start that would leave its data behind.
  DATABASE_PATH: text(),
  DATABASE_POOL_SIZE: wholeNumber(10, { min: 1, max: 1000 }),
  DATABASE_SSL: oneOf(["auto", "disable", "require", "verify-full"], "auto"),
  // Joined into DATABASE_URL / REDIS_URL (which then carry none): how ECS secrets deliver them.
  DATABASE_PASSWORD: text(),
  MANAGEMENT_TOKEN: text(16),
  ENCRYPTION_KEY: encryptionKey,
  REQUIRE_ENCRYPTION_KEY: boolean(false),
  LOG_LEVEL: logLevel(),
  // "text" is what the original's docs call its human-readable "console" form.
  LOG_FORMAT: oneOf(["json", "console", "text"], "json"),
  SHUTDOWN_TIMEOUT: duration(30_000),
  SHUTDOWN_DELAY: duration(0),
  MANAGEMENT_MAX_BODY_BYTES: size(MiB, { min: 1024 }),
  TRUSTED_PROXIES: text(),
  // Data plane
  API_CONFIG_PATH: text(),
  DEFAULT_API_PROVIDER: text(),
  OPENAI_API_URL: httpUrl("https://api.openai.com"),
  REQUEST_TIMEOUT: duration(300_000),
  STREAM_IDLE_TIMEOUT: duration(300_000),
  MAX_REQUEST_SIZE: size(20 * MiB, { min: 1024 }),
  // Bounded: the longest a revoke can go unnoticed by an instance that heard nothing of it.
  TOKEN_CACHE_TTL: duration(300_000, { min: 1000, max: 600_000 }),
  TOKEN_CACHE_MAX: wholeNumber(10_000, { min: 1 }),
  LLM_PROXY_ACTIVE_CACHE_TTL: duration(5_000),
  LLM_PROXY_ACTIVE_CACHE_MAX: wholeNumber(10_000, { min: 1 }),
  LLM_PROXY_ENFORCE_PROJECT_ACTIVE: boolean(true),
  USAGE_FLUSH_INTERVAL: duration(5_000),
  // A YAML or JSON price file over the built-in table (usage/prices.json).
  PRICING_PATH: text(),
  CIRCUIT_BREAKER_THRESHOLD: wholeNumber(5, { min: 0, max: 1000 }),
  CIRCUIT_BREAKER_COOLDOWN: duration(30_000),
  // Redis: cache, rate limits, event stream, revocation fan-out
  ...redisFields,
  REDIS_CLUSTER: boolean(false),
  REDIS_TLS_CA_FILE: text(),
  REDIS_KEY_PREFIX: textOr("llm-proxy:"),
  REDIS_COMMAND_TIMEOUT: duration(500),
  REDIS_STREAM_KEY: textOr("llm-proxy-events"),
  REDIS_STREAM_MAX_LEN: wholeNumber(100_000, { min: 0 }),
  REDIS_CONSUMER_GROUP: textOr("llm-proxy-dispatchers"),
  HTTP_CACHE_ENABLED: boolean(true),
  HTTP_CACHE_DEFAULT_TTL: duration(300_000),
  HTTP_CACHE_MAX_OBJECT_BYTES: size(MiB, { min: 1 }),
  HTTP_CACHE_MAX_BYTES: size(64 * MiB, { min: 1024 }),
  HTTP_CACHE_STREAM_RESPONSES: boolean(false),
  HTTP_CACHE_SHARED: boolean(false),
  REDIS_CACHE_KEY_PREFIX: textOr("llmproxy:cache:"),
  RATE_LIMIT_RPM: wholeNumber(0, { min: 0, max: 1_000_000 }),
  RATE_LIMIT_FAIL_MODE: oneOf(["open", "closed"], "open"),
  // Events and metrics
  // Unset: the Redis stream when Redis is configured, else in-process. "redis" (the original's
  // list queue) means the stream here.
  LLM_PROXY_EVENT_BUS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const bus = v?.toLowerCase();
      if (bus === undefined || bus === "in-memory") return bus;
      if (bus === "redis" || bus === "redis-streams") return "redis-streams" as const;
      ctx.addIssue({ code: "custom", message: `expected "redis-streams", "redis" or "in-memory", got "${v}"` });
      return z.NEVER;
    }),
  OBSERVABILITY_ENABLED: boolean(true),
  OBSERVABILITY_BUFFER_SIZE: wholeNumber(10_000, { min: 1 }),
  FILE_EVENT_LOG: text(),
  ENABLE_METRICS: boolean(true),
  METRICS_TOKEN: text(),
});

export type ProxyEnv = z.output<typeof envSchema>;

/** Every environment variable the proxy reads (SST links aside). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
