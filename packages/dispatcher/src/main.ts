import { once } from "node:events";
import { ignoredSettingMessage, loadDotenv } from "@llm-proxy/config";
import { ConfigError, loadConfig, type DispatcherConfig } from "./config.js";
import { createConsumer } from "./consumer.js";
import { createHttpServer } from "./http.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { replayDeadLetters } from "./replay.js";
import { createSinks } from "./sinks/index.js";
import { streamStats } from "./stream/group.js";
import { connectRedis } from "./stream/redis.js";
import { withTimeout } from "./timeout.js";

const USAGE = `usage: dispatcher [run]
       dispatcher replay --from-dead-letter [--limit N]`;

/** Composition root: the only place that picks adapters, listens and handles signals. */
async function run(config: DispatcherConfig, dotenvFile: string | undefined): Promise<void> {
  const logger = createLogger(config.logLevel, config.sinks.includes("stdout"));
  if (dotenvFile) logger.info({ file: dotenvFile }, "settings read from the environment over this file");
  for (const ignored of config.ignoredSettings) logger.warn({ setting: ignored.name }, ignoredSettingMessage(ignored));
  const redis = connectRedis(config.redisUrl, config.stream.consumer);
  const reader = connectRedis(config.redisUrl, `${config.stream.consumer}:reader`);
  for (const client of [redis, reader]) client.on("error", (err: Error) => logger.warn({ err: err.message }, "redis connection error"));
  const sinks = await createSinks(config);
  // Bounded, so /metrics and /health answer within seconds while Redis is down.
  const stats = () => withTimeout(streamStats(redis, { ...config.stream, deadLetterKey: config.deadLetterKey }), "stream stats");
  const metrics = createMetrics(stats);
  const consumer = createConsumer({ reader, redis, sinks, metrics, logger, config });
  const server = createHttpServer({ redis, metrics, status: consumer.status, stats });
  server.listen(config.http.port, config.http.host);
  await once(server, "listening");
  logger.info({ stream: config.stream.key, group: config.stream.group, consumer: config.stream.consumer, sinks: config.sinks, http: server.address() }, "dispatcher started");

  const controller = new AbortController();
  const loop = consumer.run(controller.signal);
  const stop = (signal: string) => {
    if (controller.signal.aborted) return;
    logger.info({ signal }, "stopping: finishing the current batch");
    controller.abort();
    // Unblocks XREADGROUP at once; anything Redis handed over meanwhile stays pending for a restart.
    reader.disconnect();
    setTimeout(() => {
      logger.error("shutdown deadline passed; exiting with the batch unacknowledged (it will be redelivered)");
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  await loop;
  await Promise.allSettled(sinks.map((s) => s.close()));
  server.close();
  await redis.quit().catch(() => undefined);
  logger.info("dispatcher stopped");
}

async function replay(config: DispatcherConfig, args: string[]): Promise<void> {
  if (!args.includes("--from-dead-letter")) throw new ConfigError(USAGE);
  const limitAt = args.indexOf("--limit");
  const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Number.POSITIVE_INFINITY;
  if (!(limit > 0)) throw new ConfigError("--limit needs a positive number");
  const redis = connectRedis(config.redisUrl, "dispatcher-replay");
  try {
    const result = await replayDeadLetters(redis, config.deadLetterKey, config.stream.key, limit);
    process.stdout.write(`replayed ${result.replayed} event(s) from ${config.deadLetterKey} to ${config.stream.key}; ${result.kept} without payload kept\n`);
  } finally {
    await redis.quit().catch(() => undefined);
  }
}

async function main(args: string[]): Promise<void> {
  const [command = "run", ...rest] = args;
  try {
    // The process environment over ./.env (or the file ENV names), as the proxy and the CLI start.
    const start = loadDotenv(process.env, process.cwd());
    if (command === "run") return await run(loadConfig(start.env), start.file);
    if (command === "replay") return await replay(loadConfig(start.env, "replay"), rest);
    throw new ConfigError(USAGE);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`dispatcher: ${error.message}\n`);
    process.exit(2);
  }
}

await main(process.argv.slice(2));
