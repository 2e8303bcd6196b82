import type { Env } from "./env.js";

/**
 * The Go original's settings (its inventory, §11.1) and what each does here, so that an
 * operator's existing `.env` starts and no setting of theirs is silently read and ignored.
 */

/** Where a setting of the original is honoured here. `start` is the `.env` loading itself. */
export type Honoured = "proxy" | "dispatcher" | "cli" | "start";

/** Settings of the original with the same meaning here (the services' schemas carry each one). */
export const HONOURED_ORIGINAL_SETTINGS: Readonly<Record<string, readonly Honoured[]>> = {
  ENV: ["start"],
  MANAGEMENT_TOKEN: ["proxy", "cli"],
  LISTEN_ADDR: ["proxy"],
  REQUEST_TIMEOUT: ["proxy"],
  API_CONFIG_PATH: ["proxy"],
  DEFAULT_API_PROVIDER: ["proxy"],
  OPENAI_API_URL: ["proxy"],
  // sqlite: the embedded database; a DATABASE_PATH holding the original's data stops the start
  // with the import command to run.
  DB_DRIVER: ["proxy"],
  DATABASE_PATH: ["proxy"],
  DATABASE_URL: ["proxy"],
  DATABASE_POOL_SIZE: ["proxy"],
  ENCRYPTION_KEY: ["proxy"],
  REQUIRE_ENCRYPTION_KEY: ["proxy"],
  LOG_LEVEL: ["proxy", "dispatcher"],
  LOG_FORMAT: ["proxy"],
  DEBUG: ["proxy", "dispatcher"],
  OBSERVABILITY_ENABLED: ["proxy"],
  OBSERVABILITY_BUFFER_SIZE: ["proxy"],
  LLM_PROXY_EVENT_BUS: ["proxy", "dispatcher"],
  REDIS_ADDR: ["proxy", "dispatcher"],
  REDIS_DB: ["proxy", "dispatcher"],
  REDIS_PASSWORD: ["proxy", "dispatcher"],
  REDIS_CACHE_URL: ["proxy", "dispatcher"],
  REDIS_STREAM_KEY: ["proxy", "dispatcher"],
  REDIS_CONSUMER_GROUP: ["proxy", "dispatcher"],
  REDIS_CONSUMER_NAME: ["dispatcher"],
  REDIS_STREAM_MAX_LEN: ["proxy"],
  REDIS_STREAM_BLOCK_TIME: ["dispatcher"],
  REDIS_STREAM_CLAIM_TIME: ["dispatcher"],
  REDIS_STREAM_BATCH_SIZE: ["dispatcher"],
  HTTP_CACHE_ENABLED: ["proxy"],
  HTTP_CACHE_STREAM_RESPONSES: ["proxy"],
  HTTP_CACHE_DEFAULT_TTL: ["proxy"],
  HTTP_CACHE_MAX_OBJECT_BYTES: ["proxy"],
  REDIS_CACHE_KEY_PREFIX: ["proxy"],
  LLM_PROXY_ENFORCE_PROJECT_ACTIVE: ["proxy"],
  LLM_PROXY_ACTIVE_CACHE_TTL: ["proxy"],
  LLM_PROXY_ACTIVE_CACHE_MAX: ["proxy"],
  ENABLE_METRICS: ["proxy"],
  FILE_EVENT_LOG: ["proxy"],
  MAX_REQUEST_SIZE: ["proxy"],
  ADMIN_UI_ENABLED: ["proxy"],
  ADMIN_UI_LISTEN_ADDR: ["proxy"],
  ADMIN_UI_API_BASE_URL: ["proxy"],
  DISPATCHER_SERVICE: ["dispatcher"],
  DISPATCHER_ENDPOINT: ["dispatcher"],
  DISPATCHER_BATCH_SIZE: ["dispatcher"],
  LLM_PROXY_API_KEY: ["dispatcher"],
  LLM_PROXY_DISPATCHER_VERBOSE: ["dispatcher"],
  MANAGEMENT_API_BASE_URL: ["cli"],
};

const SUPERVISOR = "run the process under a supervisor (systemd, Docker, ECS) instead";
const UNUSED_IN_ORIGINAL = "the original never read it either";

/**
 * Server settings of the original that do not apply here, each with what to do instead. The proxy
 * and the dispatcher both name every one that is set in one start-up warning each; none of them
 * stops a start.
 */
export const IGNORED_ORIGINAL_SETTINGS: Readonly<Record<string, string>> = {
  LOG_FILE: "logs go to stdout (JSON lines); redirect or collect them there",
  LOG_MAX_SIZE_MB: "logs go to stdout; rotate where they are collected",
  LOG_MAX_BACKUPS: "logs go to stdout; rotate where they are collected",
  DATABASE_MAX_IDLE_CONNS: "the PostgreSQL pool closes idle connections itself; DATABASE_POOL_SIZE bounds it",
  DATABASE_CONN_MAX_LIFETIME: "the PostgreSQL pool recycles connections itself; DATABASE_POOL_SIZE bounds it",
  AUDIT_ENABLED: "audit events are always kept, in the database (GET /manage/audit)",
  AUDIT_LOG_FILE: "audit events are kept in the database (GET /manage/audit), not in a file",
  AUDIT_CREATE_DIR: "audit events are kept in the database, not in a file",
  AUDIT_STORE_IN_DB: "audit events are always kept in the database",
  OBSERVABILITY_MAX_REQUEST_BODY_BYTES: "event bodies are capped at 64 KiB (request) and 256 KiB (response)",
  OBSERVABILITY_MAX_RESPONSE_BODY_BYTES: "event bodies are capped at 64 KiB (request) and 256 KiB (response)",
  HTTP_CACHE_BACKEND: "the response cache is in Redis whenever Redis is configured (REDIS_URL), else in memory",
  REDIS_CACHE_POOL_SIZE: "one shared Redis connection serves the cache; REDIS_COMMAND_TIMEOUT bounds its commands",
  REDIS_CACHE_TIMEOUT: "use REDIS_COMMAND_TIMEOUT",
  REDIS_SCAN_COUNT: "cache purges batch their scans themselves",
  CACHE_STATS_BUFFER_SIZE: "cache hits are counted per token without a separate buffer",
  USAGE_STATS_BUFFER_SIZE: "usage is aggregated in memory and flushed every USAGE_FLUSH_INTERVAL",
  LLM_PROXY_API_KEY_CACHE_TTL: "upstream keys are cached with the project (LLM_PROXY_ACTIVE_CACHE_TTL)",
  LLM_PROXY_API_KEY_CACHE_MAX: "upstream keys are cached with the project (LLM_PROXY_ACTIVE_CACHE_MAX)",
  METRICS_PATH: "metrics are served at /metrics (JSON) and /metrics/prometheus",
  LOG_BINARY_RESPONSES: "the dispatcher replaces binary bodies in events with a placeholder",
  ADMIN_UI_TEMPLATE_DIR: "the admin UI's pages are built in",
  ADMIN_UI_PATH: `the admin UI has its own listener (ADMIN_UI_LISTEN_ADDR); ${UNUSED_IN_ORIGINAL}`,
  DAEMON: SUPERVISOR,
  PID_FILE: SUPERVISOR,
  DISPATCHER_BUFFER: "the dispatcher reads Redis Streams in batches of REDIS_STREAM_BATCH_SIZE",
  DISPATCHER_DETACH: SUPERVISOR,
  EVENTDISPATCHER_FILE: "the legacy event dispatcher is gone: use the dispatcher's file sink (DISPATCHER_SERVICE=file, DISPATCHER_FILE_PATH)",
  EVENTDISPATCHER_BUFFER: "the legacy event dispatcher is gone: use the dispatcher's file sink",
  MAX_CONCURRENT_REQUESTS: `concurrency is bounded by the providers' pool sizes (API_CONFIG_PATH); ${UNUSED_IN_ORIGINAL}`,
  API_ENV: UNUSED_IN_ORIGINAL,
  ENABLE_STREAMING: `streaming is always supported; ${UNUSED_IN_ORIGINAL}`,
  CORS_ALLOWED_ORIGINS: `CORS follows each provider's allowed_origins in the providers file (API_CONFIG_PATH); ${UNUSED_IN_ORIGINAL}`,
  CORS_ALLOWED_METHODS: `CORS follows each provider's allowed_methods in the providers file; ${UNUSED_IN_ORIGINAL}`,
  CORS_ALLOWED_HEADERS: `CORS follows the providers file; ${UNUSED_IN_ORIGINAL}`,
  CORS_MAX_AGE: `CORS follows the providers file; ${UNUSED_IN_ORIGINAL}`,
  GLOBAL_RATE_LIMIT: `limits are per token: RATE_LIMIT_RPM (default) or the token's own; ${UNUSED_IN_ORIGINAL}`,
  IP_RATE_LIMIT: `limits are per token: RATE_LIMIT_RPM; ${UNUSED_IN_ORIGINAL}`,
  DISTRIBUTED_RATE_LIMIT_ENABLED: "per-token limits are shared through Redis whenever Redis is configured",
  DISTRIBUTED_RATE_LIMIT_PREFIX: "rate-limit keys live under REDIS_KEY_PREFIX",
  DISTRIBUTED_RATE_LIMIT_WINDOW: "the per-token window is one minute (RATE_LIMIT_RPM)",
  DISTRIBUTED_RATE_LIMIT_MAX: "use RATE_LIMIT_RPM (requests per minute per token)",
  DISTRIBUTED_RATE_LIMIT_FALLBACK: "use RATE_LIMIT_FAIL_MODE=open|closed",
  DISTRIBUTED_RATE_LIMIT_KEY_SECRET: "rate-limit keys use token ids, never token values",
  TOKEN_CLEANUP_INTERVAL: `expired tokens are refused at once and kept for the audit trail; ${UNUSED_IN_ORIGINAL}`,
  ENABLE_TLS: "terminate TLS at the load balancer or a reverse proxy in front",
  TLS_CERT_FILE: "terminate TLS at the load balancer or a reverse proxy in front",
  TLS_KEY_FILE: "terminate TLS at the load balancer or a reverse proxy in front",
  TLS_MIN_VERSION: "terminate TLS at the load balancer or a reverse proxy in front",
  MASK_API_KEYS: "keys and tokens are always masked in logs and responses",
  VALIDATE_API_KEY_FORMAT: UNUSED_IN_ORIGINAL,
  DEFAULT_TOKEN_LIFETIME: "each token gets its lifetime when it is created",
  DEFAULT_TOKEN_REQUEST_LIMIT: "each token gets its limit when created (max_requests)",
  WORKER_POOL_SIZE: UNUSED_IN_ORIGINAL,
  LLM_PROXY_ENDPOINT: UNUSED_IN_ORIGINAL,
  PORT: "set LISTEN_ADDR=:<port>",
};

/**
 * Variables of the original's CLI commands (`setup`, `openai chat`): its server never read them
 * and neither do the services here; this project's CLI takes flags (`llm-proxy <command> --help`).
 * Generic names (MODEL, VERBOSE) are often set for other tools, so the services do not warn.
 */
export const ORIGINAL_CLI_ONLY_SETTINGS: readonly string[] = [
  "CONFIG", "OPENAI_API_KEY", "INTERACTIVE", "PROJECT", "DURATION", "SKIP_PROJECT",
  "PROXY_URL", "PROXY_TOKEN", "MODEL", "TEMPERATURE", "MAX_TOKENS", "SYSTEM_PROMPT", "VERBOSE", "USE_STREAMING",
];

/** The ignored settings of the original that `env` sets (blank is unset), each with its reason. */
export function ignoredOriginalSettings(env: Env): { name: string; why: string }[] {
  return Object.entries(IGNORED_ORIGINAL_SETTINGS)
    .filter(([name]) => env[name]?.trim())
    .map(([name, why]) => ({ name, why }));
}

/** The start-up warning for one ignored setting: names it once, never repeats its value. */
export function ignoredSettingMessage({ name, why }: { name: string; why: string }): string {
  return `${name} is a setting of the original llm-proxy that does not apply here (ignored): ${why}`;
}
