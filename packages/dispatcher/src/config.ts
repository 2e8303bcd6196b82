import { hostname } from "node:os";
import { z } from "zod";
import { linkedSecrets, resolveRedisUrl, type Secrets } from "./links.js";
import { SINK_NAMES, type SinkName } from "./sinks/names.js";

/** Go-style durations as the original accepts them ("5s", "250ms", "1m"), or plain milliseconds. */
const duration = z.string().trim().transform((text, ctx) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) {
    ctx.addIssue({ code: "custom", message: `not a duration: "${text}" (use e.g. 500ms, 5s, 1m)` });
    return z.NEVER;
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "ms"] ?? 1;
  return Math.round(Number(match[1]) * unit);
});

const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(["1", "0", "true", "false", "yes", "no", ""]).transform((v) => v === "1" || v === "true" || v === "yes");
const optionalText = z.string().trim().min(1).optional().catch(undefined);

const envSchema = z.object({
  REDIS_URL: z.string().optional(),
  REDIS_ADDR: z.string().optional(),
  REDIS_DB: z.coerce.number().int().nonnegative().optional(),
  REDIS_PASSWORD: optionalText,
  SST_RESOURCE_Cache: z.string().optional(),
  REDIS_STREAM_KEY: z.string().min(1).default("llm-proxy-events"),
  REDIS_CONSUMER_GROUP: z.string().min(1).default("llm-proxy-dispatchers"),
  REDIS_CONSUMER_NAME: z.string().min(1).optional(),
  REDIS_STREAM_BATCH_SIZE: positiveInt.max(10_000).default(100),
  REDIS_STREAM_BLOCK_TIME: duration.default(5000),
  REDIS_STREAM_CLAIM_TIME: duration.default(30_000),
  LLM_PROXY_EVENT_BUS: z.enum(["redis-streams"], { message: "the dispatcher only consumes redis-streams (the in-memory bus is process-local)" }).optional(),
  // Blank counts as unset: a stage parameter left empty must not stop the dispatcher.
  DISPATCHER_SERVICE: z.string().trim().default("stdout").transform((v) => v || "stdout"),
  DISPATCHER_ENDPOINT: optionalText,
  DISPATCHER_FILE_PATH: optionalText,
  DISPATCHER_FILE_MAX_BYTES: z.coerce.number().int().nonnegative().default(100 * 1024 * 1024),
  DISPATCHER_WEBHOOK_URL: optionalText,
  DISPATCHER_LUNARY_URL: optionalText,
  DISPATCHER_HELICONE_URL: optionalText,
  DISPATCHER_BATCH_SIZE: positiveInt.max(10_000).default(100),
  DISPATCHER_MAX_ATTEMPTS: positiveInt.max(100).default(5),
  DISPATCHER_RETRY_BASE: duration.default(1000),
  DISPATCHER_RETRY_MAX: duration.default(30_000),
  DISPATCHER_HTTP_TIMEOUT: duration.default(30_000),
  DISPATCHER_DEAD_LETTER_KEY: z.string().min(1).optional(),
  DISPATCHER_DEAD_LETTER_MAX_LEN: positiveInt.default(10_000),
  DISPATCHER_HTTP_ADDR: z.string().default(":9090"),
  DISPATCHER_SHUTDOWN_TIMEOUT: duration.default(20_000),
  LLM_PROXY_DISPATCHER_VERBOSE: bool.default(false),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type SinkSettings = {
  file: { path: string; maxBytes: number };
  webhook: { url: string; secret: string; timeoutMs: number };
  lunary: { url: string; apiKey: string; timeoutMs: number; verbose: boolean };
  helicone: { url: string; apiKey: string; timeoutMs: number };
  stdout: Record<string, never>;
};

export type DispatcherConfig = {
  /** redis:// or rediss:// (TLS), with the password joined in: never log it. */
  redisUrl: string;
  stream: { key: string; group: string; consumer: string; batchSize: number; blockMs: number; claimIdleMs: number };
  deadLetterKey: string;
  deadLetterMaxLen: number;
  sinks: SinkName[];
  sinkSettings: Partial<SinkSettings>;
  sinkBatchSize: number;
  retry: { maxAttempts: number; baseMs: number; maxMs: number };
  http: { host: string | undefined; port: number };
  shutdownTimeoutMs: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
};

/** Settings the original reads that have no meaning in a separate process: refused, not ignored. */
const REFUSED = {
  DISPATCHER_BUFFER: "the dispatcher has no in-memory bus; size batches with REDIS_STREAM_BATCH_SIZE",
  DISPATCHER_DETACH: "run the dispatcher under a supervisor (ECS, systemd) instead",
} as const;

export class ConfigError extends Error {}

/**
 * Parses the environment once, failing fast with every problem listed. `replay` needs Redis and
 * the stream names only, so it does not insist on sink settings.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, purpose: "run" | "replay" = "run"): DispatcherConfig {
  const problems: string[] = [];
  for (const [name, why] of Object.entries(REFUSED)) if (env[name] !== undefined) problems.push(`${name} is not supported: ${why}`);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
    throw new ConfigError(problems.join("\n"));
  }
  const e = parsed.data;
  const sinks = purpose === "run" ? parseSinks(e.DISPATCHER_SERVICE, problems) : [];
  const redisUrl = resolveRedisUrl(e, problems);
  const sinkSettings = buildSinkSettings(e, linkedSecrets(env, problems), sinks, problems);
  const http = parseAddr(e.DISPATCHER_HTTP_ADDR, problems);
  if (problems.length > 0 || !redisUrl) throw new ConfigError(problems.join("\n") || "Redis is not configured");
  return {
    redisUrl,
    stream: {
      key: e.REDIS_STREAM_KEY,
      group: e.REDIS_CONSUMER_GROUP,
      consumer: e.REDIS_CONSUMER_NAME ?? `dispatcher-${sinks.join("+")}-${hostname()}-${process.pid}`,
      batchSize: e.REDIS_STREAM_BATCH_SIZE,
      blockMs: e.REDIS_STREAM_BLOCK_TIME,
      claimIdleMs: e.REDIS_STREAM_CLAIM_TIME,
    },
    deadLetterKey: e.DISPATCHER_DEAD_LETTER_KEY ?? `${e.REDIS_STREAM_KEY}:dead-letter`,
    deadLetterMaxLen: e.DISPATCHER_DEAD_LETTER_MAX_LEN,
    sinks,
    sinkSettings,
    sinkBatchSize: e.DISPATCHER_BATCH_SIZE,
    retry: { maxAttempts: e.DISPATCHER_MAX_ATTEMPTS, baseMs: e.DISPATCHER_RETRY_BASE, maxMs: e.DISPATCHER_RETRY_MAX },
    http,
    shutdownTimeoutMs: e.DISPATCHER_SHUTDOWN_TIMEOUT,
    logLevel: e.LOG_LEVEL,
  };
}

function parseSinks(text: string, problems: string[]): SinkName[] {
  const names = [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))];
  const known = new Set<string>(SINK_NAMES);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length > 0) problems.push(`DISPATCHER_SERVICE: unknown sink(s) ${bad.join(", ")} (known: ${SINK_NAMES.join(", ")})`);
  if (names.length === 0) problems.push("DISPATCHER_SERVICE: name at least one sink");
  return names.filter((n): n is SinkName => known.has(n));
}

function buildSinkSettings(e: z.infer<typeof envSchema>, secrets: Secrets, sinks: SinkName[], problems: string[]): Partial<SinkSettings> {
  // DISPATCHER_ENDPOINT keeps the original's meaning only when it is unambiguous: one sink.
  const endpoint = sinks.length === 1 ? e.DISPATCHER_ENDPOINT : undefined;
  if (e.DISPATCHER_ENDPOINT && sinks.length > 1) problems.push("DISPATCHER_ENDPOINT is ambiguous with several sinks: use DISPATCHER_<SINK>_URL / DISPATCHER_FILE_PATH");
  const timeoutMs = e.DISPATCHER_HTTP_TIMEOUT;
  const need = (value: string | undefined, what: string): string => {
    if (!value) problems.push(what);
    return value ?? "";
  };
  const out: Partial<SinkSettings> = {};
  for (const sink of sinks) {
    if (sink === "file") out.file = { path: need(e.DISPATCHER_FILE_PATH ?? endpoint, "file sink: set DISPATCHER_FILE_PATH (or DISPATCHER_ENDPOINT)"), maxBytes: e.DISPATCHER_FILE_MAX_BYTES };
    if (sink === "webhook") out.webhook = {
      url: need(e.DISPATCHER_WEBHOOK_URL ?? endpoint, "webhook sink: set DISPATCHER_WEBHOOK_URL (or DISPATCHER_ENDPOINT)"),
      secret: need(secrets.webhook, "webhook sink: set DISPATCHER_WEBHOOK_SECRET (signatures are not optional)"),
      timeoutMs,
    };
    if (sink === "lunary") out.lunary = {
      url: e.DISPATCHER_LUNARY_URL ?? endpoint ?? "https://api.lunary.ai/v1/runs/ingest",
      apiKey: need(secrets.lunary, "lunary sink: set LLM_PROXY_API_KEY (or the LunaryApiKey secret)"),
      timeoutMs,
      verbose: e.LLM_PROXY_DISPATCHER_VERBOSE,
    };
    if (sink === "helicone") out.helicone = {
      url: e.DISPATCHER_HELICONE_URL ?? endpoint ?? "https://api.worker.helicone.ai/custom/v1/log",
      apiKey: need(secrets.helicone, "helicone sink: set LLM_PROXY_API_KEY (or the HeliconeApiKey secret)"),
      timeoutMs,
    };
    if (sink === "stdout") out.stdout = {};
  }
  return out;
}

function parseAddr(addr: string, problems: string[]): { host: string | undefined; port: number } {
  const match = /^(.*):(\d+)$/.exec(addr);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    problems.push(`DISPATCHER_HTTP_ADDR: expected host:port or :port, got "${addr}"`);
    return { host: undefined, port: 0 };
  }
  return { host: match[1] ? match[1].replace(/^\[|\]$/g, "") : undefined, port };
}
