import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import path from "node:path";
import http from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "./app.js";
import type { Config } from "./config.js";
import type { Domain } from "./domain.js";
import type { Logger } from "./observability/logger.js";
import { createMemoryChangeFeed } from "./revocation/memory.js";
import { createSecrets, safeEqual } from "./security/secrets.js";
import { checkEncryptionKey } from "./security/key-check.js";
import { openDatabase, type Database } from "./storage/db.js";
import { migrateUp } from "./storage/migrate.js";
import { secureDataDir } from "./storage/datadir.js";
import { writeAudit } from "./audit/record.js";
import { jsonlWriter } from "./bus/jsonl.js";
import { createMemoryBus } from "./bus/memory.js";
import type { EventBus } from "./bus/port.js";
import { Access } from "./gateway/access.js";
import { Upstreams } from "./gateway/forward.js";
import { createGateway, type Gateway } from "./gateway/handler.js";
import { createMetrics } from "./observability/metrics.js";
import { UsageRecorder } from "./usage/recorder.js";
import { usageMetrics } from "./usage/metrics.js";
import { createRedisBus } from "./bus/redis.js";
import { createMemoryRateLimiter } from "./ratelimit/memory.js";
import { createRedisRateLimiter } from "./ratelimit/redis.js";
import { createRedisClient, whenReady, type RedisClient } from "./redis/client.js";
import { createRedisChangeFeed } from "./revocation/redis.js";
import type { HealthCheck } from "./api/health.js";
import { createMemoryCacheStore } from "./cache/memory.js";
import { createRedisCacheStore } from "./cache/redis.js";
import type { PipelineHealth } from "./admin/index.js";
import { lazyFetch } from "./admin/lazy.js";
import { VERSION } from "./version.js";
import { clientIpResolver } from "./api/client-ip.js";
import { auditAggregator } from "./audit/aggregate.js";

export interface RunningServer {
  apiUrl: string;
  adminUrl: string | undefined;
  managementToken: string;
  /** Set when this start generated the embedded management token (main prints it once). */
  generatedTokenFile: string | undefined;
  tokenFile: string | undefined;
  domain: Domain;
  db: Database;
  usage: UsageRecorder;
  bus: EventBus;
  /** Stops accepting, drains in-flight requests until the deadline, flushes and closes storage. */
  stop(): Promise<void>;
}

/** Embedded mode only: a management token generated on first start and kept in the data dir. */
async function embeddedManagementToken(dataDir: string): Promise<{ token: string; generated: boolean; file: string }> {
  const file = path.join(dataDir, "management-token");
  try {
    return { token: (await fs.readFile(file, "utf8")).trim(), generated: false, file };
  } catch {
    const token = randomBytes(32).toString("base64url");
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, token + "\n", { mode: 0o600 });
    return { token, generated: true, file };
  }
}

/** The token file, as the sign-in page names it: only while it exists and holds the token in use. */
function currentTokenFile(file: string, token: string): () => Promise<string | undefined> {
  return async () => {
    const held = await fs.readFile(file, "utf8").catch(() => undefined);
    if (held === undefined || !safeEqual(held.trim(), token)) return undefined;
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") ? file : relative;
  };
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.address === "0.0.0.0" || a.address === "::" ? "localhost" : a.address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${a.port}`;
}

/**
 * Listens with Hono's request listener; when a gateway is given, `/v1` requests (matched on the
 * raw URL, before any dot-segment resolution) go straight to it with the Node request and
 * response: no Web Request/Response objects on the hot path, and bodies stream through.
 */
function listen(fetch: (req: Request) => Response | Promise<Response>, addr: { host: string; port: number }, gateway?: Gateway, logger?: Logger) {
  const hono = getRequestListener(fetch);
  const route = (req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean) => {
    const provider = gateway?.match(req.url ?? "/");
    if (!provider || !gateway) {
      if (expectsContinue) res.writeContinue();
      return void hono(req, res);
    }
    // The gateway sends `100 Continue` itself, once the token is checked.
    gateway.handle(req, res, provider).catch((err: unknown) => {
      logger?.error({ err }, "data plane failure");
      res.destroy();
    });
  };
  const server = http.createServer((req, res) => route(req, res, false));
  server.on("checkContinue", (req, res) => route(req, res, true));
  return new Promise<Server>((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => resolve(server));
  });
}

async function drain(servers: Server[], deadlineMs: number): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => s.closeAllConnections(), deadlineMs);
          s.close(() => {
            clearTimeout(timer);
            resolve();
          });
          s.closeIdleConnections();
        }),
    ),
  );
}

/** The composition root: picks the adapters the config asks for, builds the apps and listens. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // The data directory holds the embedded database and the management token: owner-only (the
  // database's own directory is walked once, by the embedded database after it opens).
  if (config.storage.kind === "embedded") await secureDataDir(config.dataDir, { skip: config.storage.dataDir });
  const db = await openDatabase(config.storage);
  try {
    const applied = await migrateUp(db.sql);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    await checkEncryptionKey(db.sql, createSecrets(config.encryptionKey));
  } catch (err) {
    await db.close();
    throw err;
  }
  let managementToken = config.managementToken;
  let tokenFile: { generated: boolean; file: string } | undefined;
  if (managementToken === undefined) {
    const t = await embeddedManagementToken(config.dataDir);
    managementToken = t.token;
    tokenFile = t;
  }
  const onError = (what: string) => (err: unknown) => logger.error({ err }, what);
  // Redis errors repeat every retry while it is down: log the first of each kind per minute.
  const redisErrors = new Map<string, number>();
  const onRedisError = (what: string) => (err: unknown) => {
    const last = redisErrors.get(what) ?? 0;
    if (Date.now() - last < 60_000) return;
    redisErrors.set(what, Date.now());
    logger.warn({ err: (err as Error).message }, what);
  };
  let redis: { main: RedisClient; sub: RedisClient } | undefined;
  if (config.redis) {
    redis = { main: createRedisClient(config.redis, "main"), sub: createRedisClient(config.redis, "sub", { subscriber: true }) };
    redis.main.on("error", onRedisError("redis unavailable"));
    redis.sub.on("error", onRedisError("redis subscriber unavailable"));
    if (!(await whenReady(redis.main, 3000))) logger.warn("redis not reachable at start: serving degraded until it is");
  }
  const prefix = config.redis?.prefix ?? "";
  const changes = redis ? createRedisChangeFeed(redis.main, redis.sub, `${prefix}changes`, onRedisError("change fan-out failed")) : createMemoryChangeFeed();
  const domain: Domain = { sql: db.sql, secrets: createSecrets(config.encryptionKey), changes };
  let draining = false;
  const metrics = createMetrics();
  const eventLog = config.events.fileLog ? await jsonlWriter(config.events.fileLog) : undefined;
  const bus = redis
    ? createRedisBus(redis.main, {
        stream: config.events.stream,
        maxLen: config.events.maxLen,
        capacity: config.events.bufferSize,
        batchSize: 500,
        onError: onRedisError("event stream write failed"),
      })
    : createMemoryBus(config.events.bufferSize, eventLog?.consume, onError("event sink failed"));
  const limiter = redis ? createRedisRateLimiter(redis.main, prefix) : createMemoryRateLimiter();
  const cacheConfig = config.cache;
  const cacheStore = cacheConfig
    ? redis
      ? createRedisCacheStore(redis.main, { prefix: cacheConfig.redisPrefix, onError: onRedisError("response cache unavailable") })
      : createMemoryCacheStore({ maxBytes: cacheConfig.maxBytes })
    : undefined;
  domain.cache = cacheStore;
  const healthChecks: HealthCheck[] = [{ name: "database", required: true, check: () => db.ping() }];
  if (redis) {
    const main = redis.main;
    healthChecks.push({ name: "redis", required: false, check: async () => void (await main.ping()) });
  }
  const usageCounters = usageMetrics(metrics.registry);
  const usage = new UsageRecorder(db.sql, {
    intervalMs: config.gateway.usageFlushIntervalMs,
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
  healthChecks.push({ name: "usage", required: false, check: () => usage.check() });
  const access = new Access(db.sql, domain.secrets, domain.changes, {
    tokenTtlMs: config.gateway.tokenCache.ttlMs,
    tokenMax: config.gateway.tokenCache.max,
    projectTtlMs: config.gateway.projectCache.ttlMs,
    projectMax: config.gateway.projectCache.max,
  });
  const upstreams = new Upstreams();
  const clientIp = clientIpResolver(config.trustedProxies);
  const gateway = createGateway({
    providers: config.gateway.providers,
    access,
    upstreams,
    usage,
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
    cache:
      cacheStore && cacheConfig
        ? {
            store: cacheStore,
            shared: cacheConfig.shared,
            policy: { defaultTtlSeconds: cacheConfig.defaultTtlSeconds, maxObjectBytes: cacheConfig.maxObjectBytes, streamResponses: cacheConfig.streamResponses, shared: cacheConfig.shared },
          }
        : undefined,
    auditDenied: (r) =>
      writeAudit(db.sql, { actor: "system", requestId: r.requestId, clientIp: r.clientIp, method: r.method, path: r.path, userAgent: r.userAgent }, {
        action: "proxy_request",
        outcome: "denied",
        reason: r.reason,
        note: { projectId: r.projectId, details: { reason: r.reason } },
      }),
  });
  const authFailures = auditAggregator(db.sql, { onError: onError("audit write failed") });
  const app = createApp({
    metrics: config.metrics.enabled ? { metrics, bus: () => bus.stats(), token: config.metrics.token } : undefined,
    domain,
    logger,
    managementToken,
    managementMaxBodyBytes: config.managementMaxBodyBytes,
    healthChecks,
    isDraining: () => draining,
    clientIp,
    authFailures,
  });
  const api = await listen(app.fetch, config.listen, gateway, logger);
  const servers = [api];
  let adminUrl: string | undefined;
  if (config.adminUi.enabled) {
    const pipeline = async (): Promise<PipelineHealth> => {
      const stats = bus.stats();
      if (!redis) return { kind: "in-process", status: stats.dropped > 0 ? "degraded" : "ok", ...stats };
      try {
        const summary = (await redis.main.xpending(config.events.stream, config.events.consumerGroup)) as [number, string | null, ...unknown[]];
        const oldest = summary[1] ? Number(summary[1].split("-")[0]) : undefined;
        return { kind: "redis", status: "ok", ...stats, pending: Number(summary[0]), ...(oldest ? { lagMs: Date.now() - oldest } : {}) };
      } catch {
        // No consumer group yet (no dispatcher has started), or Redis is down.
        return { kind: "redis", status: redis.main.status === "ready" ? "degraded" : "down", ...stats };
      }
    };
    const admin = lazyFetch(async () => {
      const { createAdminApp, inProcessBackend } = await import("./admin/index.js");
      return createAdminApp({
        backend: inProcessBackend(domain, managementToken, {
          health: async () => {
            await db.ping();
            return { status: "ok" };
          },
          pipeline,
        }),
        sessionSecret: config.adminUi.sessionSecret ?? managementToken,
        secureCookies: config.adminUi.secureCookies,
        publicApiBaseUrl: config.publicBaseUrl ?? urlOf(api),
        version: VERSION,
        logger,
        clientIp,
        maxBodyBytes: config.managementMaxBodyBytes,
        ...(tokenFile ? { managementTokenFile: currentTokenFile(tokenFile.file, managementToken) } : {}),
      });
    });
    const adminServer = await listen(admin, config.adminUi.listen);
    servers.push(adminServer);
    adminUrl = urlOf(adminServer);
  }
  let stopped: Promise<void> | undefined;
  return {
    apiUrl: urlOf(api),
    adminUrl,
    managementToken,
    generatedTokenFile: tokenFile?.generated ? tokenFile.file : undefined,
    tokenFile: tokenFile?.file,
    domain,
    db,
    usage,
    bus,
    stop() {
      stopped ??= (async () => {
        draining = true;
        // Still serving: a load balancer polling /ready sees 503 and stops routing here first.
        if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
        await drain(servers, config.shutdownTimeoutMs);
        await gateway.settled();
        await usage.stop().catch(() => logger.error({ pending: usage.pending }, "usage deltas lost at shutdown: the database did not answer"));
        await authFailures.close();
        await bus.close();
        await eventLog?.close();
        await upstreams.close();
        access.close();
        await limiter.close();
        await cacheStore?.close();
        await domain.changes.close();
        redis?.main.disconnect();
        redis?.sub.disconnect();
        await db.close();
      })();
      return stopped;
    },
  };
}
