import { createRequire } from "node:module";
import type * as IORedis from "ioredis";
import type { Cluster, Redis, RedisOptions } from "ioredis";

export type RedisClient = Redis | Cluster;

export interface RedisConfig {
  url: string;
  cluster: boolean;
  commandTimeoutMs: number;
  /** PEM of a private CA for `rediss://` (public CAs, such as ElastiCache's, need none). */
  tlsCa?: string | undefined;
}

/**
 * Builds an ioredis client that never makes a request wait on an outage: no offline queue,
 * one attempt per command, a command timeout, and reconnection with capped back-off in the
 * background. `rediss://` means TLS; username/password in the URL are the AUTH credentials.
 */
export function createRedisClient(cfg: RedisConfig, name: string, opts: { subscriber?: boolean } = {}): RedisClient {
  // Loaded when first needed: ioredis costs ~100 ms and ~15 MB at every start of the embedded
  // mode, which never uses it.
  const ioredis = createRequire(import.meta.url)("ioredis") as typeof IORedis;
  // A subscriber's only commands are (re)subscriptions, which may wait for the connection.
  const offlineQueue = opts.subscriber === true;
  const url = new URL(cfg.url);
  const tls = url.protocol === "rediss:";
  const tlsOptions = tls ? { ...(cfg.tlsCa ? { ca: cfg.tlsCa } : {}) } : undefined;
  const options: RedisOptions = {
    connectionName: `llm-proxy-${name}`,
    enableOfflineQueue: offlineQueue,
    maxRetriesPerRequest: offlineQueue ? null : 0,
    commandTimeout: cfg.commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    lazyConnect: false,
    ...(tlsOptions ? { tls: tlsOptions } : {}),
  };
  if (cfg.cluster) {
    return new ioredis.Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
      // ElastiCache presents a configuration endpoint; TLS needs the hostnames it hands out.
      dnsLookup: (address, callback) => callback(null, address),
      enableOfflineQueue: offlineQueue,
      redisOptions: {
        ...options,
        username: decodeURIComponent(url.username) || undefined,
        password: decodeURIComponent(url.password) || undefined,
        ...(tlsOptions ? { tls: tlsOptions } : {}),
      },
    });
  }
  return new ioredis.Redis(cfg.url, options);
}

/** Waits for `promise` to resolve, at most `timeoutMs`; false when it had not (or it failed). */
export function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    promise.then(() => done(true), () => done(false));
  });
}

/** Waits for the first connection, at most `timeoutMs`; false when Redis is not there yet. */
export function whenReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once("ready", onReady);
  });
}

/**
 * Warnings for an outage that repeats on every retry while Redis is down: `warn(what)` gives the
 * error handler of one kind of failure, which logs the first error of that kind per `everyMs`.
 */
export function throttledWarnings(log: { warn(obj: object, msg: string): void }, everyMs = 60_000, now = () => Date.now()): (what: string) => (err: unknown) => void {
  const last = new Map<string, number>();
  return (what) => (err) => {
    const at = last.get(what);
    if (at !== undefined && now() - at < everyMs) return;
    last.set(what, now());
    log.warn({ err: err instanceof Error ? err.message : String(err) }, what);
  };
}
