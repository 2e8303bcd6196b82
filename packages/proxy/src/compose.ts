import type { HealthCheck } from "./api/health.js";
import { clientIpResolver, type ClientIpResolver } from "./api/client-ip.js";
import { auditAggregator, type AuditAggregator } from "./audit/aggregate.js";
import { writeDeniedRequest } from "./audit/record.js";
import { jsonlWriter } from "./bus/jsonl.js";
import { createMemoryBus } from "./bus/memory.js";
import { pipelineHealth } from "./bus/pipeline.js";
import type { EventBus, PipelineHealth } from "./bus/port.js";
import { createRedisBus } from "./bus/redis.js";
import { createMemoryCacheStore } from "./cache/memory.js";
import { createRedisCacheStore } from "./cache/redis.js";
import type { Config } from "./config.js";
import type { Domain } from "./domain.js";
import { Access } from "./gateway/access.js";
import { Upstreams } from "./gateway/forward.js";
import { createGateway, type Gateway } from "./gateway/handler.js";
import type { Logger } from "./observability/logger.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";
import { createMemoryRateLimiter } from "./ratelimit/memory.js";
import { createRedisRateLimiter } from "./ratelimit/redis.js";
import { createRedisClient, settlesWithin, throttledWarnings, whenReady } from "./redis/client.js";
import { createMemoryChangeFeed } from "./revocation/memory.js";
import { createRedisChangeFeed } from "./revocation/redis.js";
import { checkEncryptionKey } from "./security/key-check.js";
import { embeddedManagementToken, type TokenFile } from "./security/management-token.js";
import { createSecrets } from "./security/secrets.js";
import { secureDataDir } from "./storage/datadir.js";
import { openDatabase, type Database } from "./storage/db.js";
import { migrateUp } from "./storage/migrate.js";
import { charger } from "./usage/charge.js";
import { usageMetrics } from "./usage/metrics.js";
import { UsageRecorder } from "./usage/recorder.js";

/** Everything the front doors are built from, and the one way to release it. */
export interface Deps {
  db: Database;
  domain: Domain;
  managementToken: string;
  /** Embedded mode: the file holding the generated management token. */
  tokenFile: TokenFile | undefined;
  metrics: Metrics;
  bus: EventBus;
  usage: UsageRecorder;
  gateway: Gateway;
  clientIp: ClientIpResolver;
  authFailures: AuditAggregator;
  healthChecks: HealthCheck[];
  pipeline: () => Promise<PipelineHealth>;
  /** After the listeners drained: settles the gateway, flushes usage and events, closes every adapter. */
  close(): Promise<void>;
}

/**
 * The composition root: one line per adapter choice (embedded or PostgreSQL, Redis or in
 * memory), as the config asks. Behaviour lives in the modules it builds.
 */
export async function buildDeps(config: Config, logger: Logger): Promise<Deps> {
  // The data directory holds the embedded database and the management token: owner-only (the
  // database's own directory is walked once, by the embedded database after it opens).
  if (config.storage.kind === "embedded") await secureDataDir(config.dataDir, { skip: config.storage.dataDir });
  const db = await openDatabase(config.storage);
  const secrets = createSecrets(config.encryptionKey);
  try {
    const applied = await migrateUp(db.sql);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    await checkEncryptionKey(db.sql, secrets);
  } catch (err) {
    await db.close();
    throw err;
  }
  const tokenFile = config.managementToken === undefined ? await embeddedManagementToken(config.dataDir) : undefined;
  const managementToken = config.managementToken ?? (tokenFile as TokenFile).token;

  const onError = (what: string) => (err: unknown) => logger.error({ err }, what);
  const warn = throttledWarnings(logger);
  const redis = config.redis ? { main: createRedisClient(config.redis, "main"), sub: createRedisClient(config.redis, "sub", { subscriber: true }) } : undefined;
  if (redis) {
    redis.main.on("error", warn("redis unavailable"));
    redis.sub.on("error", warn("redis subscriber unavailable"));
  }
  const reachable = redis ? await whenReady(redis.main, 3000) : true;
  if (!reachable) logger.warn("redis not reachable at start: serving degraded until it is");
  const prefix = config.redis?.prefix ?? "";
  const changes = redis ? createRedisChangeFeed(redis.main, redis.sub, `${prefix}changes`, warn("change fan-out failed")) : createMemoryChangeFeed();
  // Serving before the subscription is confirmed is safe (the confirmation drops the caches),
  // but an instance that waits for it starts with caches it keeps.
  if (reachable && !(await settlesWithin(changes.subscribed, 3000))) logger.warn("change fan-out not subscribed at start: caches are dropped once it is");
  const eventLog = config.events.fileLog ? await jsonlWriter(config.events.fileLog, onError("event file sync failed")) : undefined;
  const streamRedis = config.events.bus === "redis-streams" ? redis : undefined;
  const bus = streamRedis
    ? createRedisBus(streamRedis.main, { stream: config.events.stream, maxLen: config.events.maxLen, capacity: config.events.bufferSize, batchSize: 500, onError: warn("event stream write failed") })
    : createMemoryBus(config.events.bufferSize, eventLog?.consume, onError("event sink failed"));
  const limiter = redis ? createRedisRateLimiter(redis.main, prefix) : createMemoryRateLimiter();
  const c = config.cache;
  const cacheStore = c ? (redis ? createRedisCacheStore(redis.main, { prefix: c.redisPrefix, onError: warn("response cache unavailable") }) : createMemoryCacheStore({ maxBytes: c.maxBytes })) : undefined;
  const domain: Domain = { sql: db.sql, secrets, changes, cache: cacheStore };

  const metrics = createMetrics();
  const usageCounters = usageMetrics(metrics.registry);
  const usage = new UsageRecorder(db.sql, {
    intervalMs: config.gateway.usageFlushIntervalMs,
    ledger: { tokens: config.gateway.tokenCache.max, projects: config.gateway.projectCache.max },
    onError: (err) => {
      usageCounters.flushFailures.inc();
      onError("usage flush failed")(err);
    },
    onRejected: ({ table, row }, err) => {
      usageCounters.rejected.inc({ table });
      logger.error({ err, table, row }, "usage row refused by the database: dropped so that the others commit");
    },
  });
  usage.start();

  const healthChecks: HealthCheck[] = [{ name: "database", required: true, check: () => db.ping() }];
  if (redis) healthChecks.push({ name: "redis", required: false, check: async () => void (await redis.main.ping()) });
  healthChecks.push({ name: "usage", required: false, check: () => usage.check() });

  const access = new Access(db.sql, secrets, changes, {
    tokenTtlMs: config.gateway.tokenCache.ttlMs,
    tokenMax: config.gateway.tokenCache.max,
    projectTtlMs: config.gateway.projectCache.ttlMs,
    projectMax: config.gateway.projectCache.max,
    spend: usage.spend,
  });
  const upstreams = new Upstreams();
  const clientIp = clientIpResolver(config.trustedProxies);
  const gateway = createGateway({
    providers: config.gateway.providers,
    access,
    upstreams,
    usage,
    spend: usage.spend,
    charge: charger(config.gateway.pricing, usageCounters, (model) => logger.warn({ model }, "model has no price (PRICING_PATH): its requests cost nothing")),
    bus,
    metrics,
    logger,
    clientIp,
    maxBodyBytes: config.gateway.maxBodyBytes,
    enforceProjectActive: config.gateway.enforceProjectActive,
    observability: config.events.enabled,
    breaker: config.gateway.breaker,
    limiter,
    rateLimit: config.rateLimit,
    cache: cacheStore && c ? { store: cacheStore, shared: c.shared, policy: { defaultTtlSeconds: c.defaultTtlSeconds, maxObjectBytes: c.maxObjectBytes, streamResponses: c.streamResponses, shared: c.shared } } : undefined,
    auditDenied: (row) => writeDeniedRequest(db.sql, row),
  });
  const authFailures = auditAggregator(db.sql, { onError: onError("audit write failed") });

  return {
    db,
    domain,
    managementToken,
    tokenFile,
    metrics,
    bus,
    usage,
    gateway,
    clientIp,
    authFailures,
    healthChecks,
    pipeline: pipelineHealth(bus, streamRedis ? { redis: streamRedis.main, key: config.events.stream, group: config.events.consumerGroup } : undefined),
    async close() {
      await gateway.settled();
      await usage.stop().catch(() => logger.error({ pending: usage.pending }, "usage deltas lost at shutdown: the database did not answer"));
      await authFailures.close();
      await bus.close();
      await eventLog?.close();
      await upstreams.close();
      access.close();
      await limiter.close();
      await cacheStore?.close();
      await changes.close();
      redis?.main.disconnect();
      redis?.sub.disconnect();
      await db.close();
    },
  };
}
