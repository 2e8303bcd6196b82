import { hostname } from "node:os";
import { ConfigError, Problems, address, boolean, ignoredOriginalSettings, parseBoolean, duration, httpUrl, linkedRedisUrl, logLevel, readEnv, readSstLinks, redisFields, resolveRedisUrl, size, text, textOr, wholeNumber, type Env } from "@llm-proxy/config";
import { z } from "zod";
import { linkedSecrets, type Secrets } from "./links.js";
import { SINK_NAMES, type SinkName } from "./sinks/names.js";

export { ConfigError };

/**
 * Every variable the dispatcher reads, in the forms shared with the proxy and the CLI
 * (@llm-proxy/config). Durations are bounded so that a bare number written as milliseconds (this
 * service's old meaning; a bare number is now seconds everywhere) is refused, not waited out.
 */
export const envSchema = z.object({
  ...redisFields,
  REDIS_STREAM_KEY: textOr("llm-proxy-events"),
  REDIS_CONSUMER_GROUP: textOr("llm-proxy-dispatchers"),
  REDIS_CONSUMER_NAME: text(),
  REDIS_STREAM_BATCH_SIZE: wholeNumber(100, { min: 1, max: 10_000 }),
  REDIS_STREAM_BLOCK_TIME: duration(5000, { min: 1, max: 60_000 }),
  REDIS_STREAM_CLAIM_TIME: duration(30_000, { min: 1000, max: 3_600_000 }),
  LLM_PROXY_EVENT_BUS: z
    .string()
    .optional()
    .refine((v) => v === undefined || ["redis-streams", "redis"].includes(v.toLowerCase()), {
      message: 'expected "redis-streams" (or the original\'s "redis", the same stream here): the dispatcher only consumes the Redis stream (the in-memory bus is process-local)',
    }),
  DISPATCHER_SERVICE: textOr("stdout"),
  DISPATCHER_ENDPOINT: text(),
  DISPATCHER_FILE_PATH: text(),
  DISPATCHER_FILE_MAX_BYTES: size(100 * 1024 * 1024),
  DISPATCHER_WEBHOOK_URL: httpUrl(),
  DISPATCHER_LUNARY_URL: httpUrl(),
  DISPATCHER_HELICONE_URL: httpUrl(),
  // Sink secrets; their SST links win (links.ts).
  LLM_PROXY_API_KEY: text(),
  DISPATCHER_WEBHOOK_SECRET: text(),
  DISPATCHER_BATCH_SIZE: wholeNumber(100, { min: 1, max: 10_000 }),
  DISPATCHER_MAX_ATTEMPTS: wholeNumber(5, { min: 1, max: 100 }),
  DISPATCHER_RETRY_BASE: duration(1000, { max: 300_000 }),
  DISPATCHER_RETRY_MAX: duration(30_000, { max: 3_600_000 }),
  DISPATCHER_HTTP_TIMEOUT: duration(30_000, { min: 1, max: 600_000 }),
  DISPATCHER_DEAD_LETTER_KEY: text(),
  DISPATCHER_DEAD_LETTER_MAX_LEN: wholeNumber(10_000, { min: 1 }),
  DISPATCHER_HTTP_ADDR: address({ host: "0.0.0.0", port: 9090 }),
  DISPATCHER_SHUTDOWN_TIMEOUT: duration(20_000, { min: 1, max: 600_000 }),
  LLM_PROXY_DISPATCHER_VERBOSE: boolean(false),
  LOG_LEVEL: logLevel(),
});

/** Every environment variable the dispatcher reads (SST links aside). */
export const DISPATCHER_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

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
  http: { host: string; port: number };
  shutdownTimeoutMs: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  /** Settings of the Go original that are set but do not apply here: one start-up warning each. */
  ignoredSettings: { name: string; why: string }[];
};

/**
 * Parses the environment once, failing fast with every problem listed. `replay` needs Redis and
 * the stream names only, so it does not insist on sink settings.
 */
export function loadConfig(env: Env = process.env, purpose: "run" | "replay" = "run"): DispatcherConfig {
  const problems = new Problems();
  const links = readSstLinks(env, problems);
  const e = readEnv(envSchema, env, problems);
  const sinks = purpose === "run" ? parseSinks(e.DISPATCHER_SERVICE, problems) : [];
  const redisUrl = resolveRedisUrl(linkedRedisUrl(links, problems), e, problems);
  if (redisUrl === undefined) problems.add("REDIS_URL", "Redis is not configured: set REDIS_URL (redis:// or rediss://), REDIS_ADDR, or link the SST Cache");
  const sinkSettings = buildSinkSettings(e, linkedSecrets(e, links, problems), sinks, problems);
  if (redisUrl === undefined || problems.count > 0) return problems.fail();
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
    http: e.DISPATCHER_HTTP_ADDR,
    shutdownTimeoutMs: e.DISPATCHER_SHUTDOWN_TIMEOUT,
    // The original's DEBUG=1 forces debug logs; other DEBUG values belong to other tools.
    logLevel: parseBoolean(env.DEBUG ?? "") === true ? "debug" : e.LOG_LEVEL,
    ignoredSettings: ignoredOriginalSettings(env),
  };
}

function parseSinks(text: string, problems: Problems): SinkName[] {
  const names = [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))];
  const known = new Set<string>(SINK_NAMES);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length > 0) problems.add("DISPATCHER_SERVICE", `unknown sink(s) ${bad.join(", ")} (known: ${SINK_NAMES.join(", ")})`);
  if (names.length === 0) problems.add("DISPATCHER_SERVICE", "name at least one sink");
  return names.filter((n): n is SinkName => known.has(n));
}

function buildSinkSettings(e: z.output<typeof envSchema>, secrets: Secrets, sinks: SinkName[], problems: Problems): Partial<SinkSettings> {
  // DISPATCHER_ENDPOINT keeps the original's meaning only when it is unambiguous: one sink.
  const endpoint = sinks.length === 1 ? e.DISPATCHER_ENDPOINT : undefined;
  if (e.DISPATCHER_ENDPOINT && sinks.length > 1) problems.add("DISPATCHER_ENDPOINT", "ambiguous with several sinks: use DISPATCHER_<SINK>_URL / DISPATCHER_FILE_PATH");
  const timeoutMs = e.DISPATCHER_HTTP_TIMEOUT;
  const need = (value: string | undefined, sink: string, what: string): string => {
    if (!value) problems.add(`${sink} sink`, what);
    return value ?? "";
  };
  const out: Partial<SinkSettings> = {};
  for (const sink of sinks) {
    if (sink === "file") out.file = { path: need(e.DISPATCHER_FILE_PATH ?? endpoint, "file", "set DISPATCHER_FILE_PATH (or DISPATCHER_ENDPOINT)"), maxBytes: e.DISPATCHER_FILE_MAX_BYTES };
    if (sink === "webhook") out.webhook = {
      url: need(e.DISPATCHER_WEBHOOK_URL ?? endpoint, "webhook", "set DISPATCHER_WEBHOOK_URL (or DISPATCHER_ENDPOINT)"),
      secret: need(secrets.webhook, "webhook", "set DISPATCHER_WEBHOOK_SECRET (signatures are not optional)"),
      timeoutMs,
    };
    if (sink === "lunary") out.lunary = {
      url: e.DISPATCHER_LUNARY_URL ?? endpoint ?? "https://api.lunary.ai/v1/runs/ingest",
      apiKey: need(secrets.lunary, "lunary", "set LLM_PROXY_API_KEY (or the LunaryApiKey secret)"),
      timeoutMs,
      verbose: e.LLM_PROXY_DISPATCHER_VERBOSE,
    };
    if (sink === "helicone") out.helicone = {
      url: e.DISPATCHER_HELICONE_URL ?? endpoint ?? "https://api.worker.helicone.ai/custom/v1/log",
      apiKey: need(secrets.helicone, "helicone", "set LLM_PROXY_API_KEY (or the HeliconeApiKey secret)"),
      timeoutMs,
    };
    if (sink === "stdout") out.stdout = {};
  }
  return out;
}
