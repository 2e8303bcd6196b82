import type { Problems } from "./errors.js";
import { hostPort, url, text, wholeNumber } from "./fields.js";

/**
 * The one Redis connection rule the proxy and the dispatcher share: a `redis://` URL is plain,
 * `rediss://` is TLS, and an SST Cache link is TLS (ElastiCache in-transit encryption) unless its
 * host is loopback, which is a local `dev` Redis without TLS. A password from its own secret
 * (REDIS_PASSWORD) is joined into the URL.
 */

/** The fields of an SST `Cache` link (`SST_RESOURCE_Cache`) that make a connection. */
export type CacheLink = { host: string; port?: number | string; username?: string; password?: string };

/** localhost, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The URL an SST Cache link stands for: `rediss://` unless the host is loopback. */
export function cacheLinkUrl(link: CacheLink): string {
  const scheme = isLoopbackHost(link.host) ? "redis" : "rediss";
  const host = link.host.includes(":") && !link.host.startsWith("[") ? `[${link.host}]` : link.host;
  const url = new URL(`${scheme}://${host}:${String(link.port ?? 6379)}`);
  if (link.password) {
    url.username = link.username ?? "default";
    url.password = link.password;
  }
  return url.toString().replace(/\/$/, "");
}

/** Joins a password into a Redis URL; the URL's user is kept, `default` if it names none. */
export function withRedisPassword(redisUrl: string, password: string | undefined): string {
  if (!password) return redisUrl;
  const url = new URL(redisUrl);
  url.username ||= "default";
  url.password = password;
  return url.toString().replace(/\/$/, "");
}

/** The Redis settings both services read, with the same meaning. */
export const redisFields = {
  REDIS_URL: url(["redis", "rediss"]),
  // The original's names: its cache URL, and the event bus's address + database.
  REDIS_CACHE_URL: url(["redis", "rediss"]),
  REDIS_ADDR: hostPort(),
  REDIS_DB: wholeNumber(0, { min: 0, max: 15 }),
  REDIS_PASSWORD: text(),
};

type RedisSettings = { REDIS_URL?: string | undefined; REDIS_CACHE_URL?: string | undefined; REDIS_ADDR?: string | undefined; REDIS_DB: number; REDIS_PASSWORD?: string | undefined };

/**
 * The Redis URL, REDIS_PASSWORD joined in: the SST Cache link (the caller passes it), else
 * REDIS_URL, else REDIS_CACHE_URL, else REDIS_ADDR + REDIS_DB; undefined when none is set.
 */
export function resolveRedisUrl(linked: string | undefined, e: RedisSettings, problems: Problems): string | undefined {
  const base = linked ?? e.REDIS_URL ?? e.REDIS_CACHE_URL ?? (e.REDIS_ADDR ? `redis://${e.REDIS_ADDR}/${e.REDIS_DB}` : undefined);
  if (base === undefined) return undefined;
  try {
    return withRedisPassword(base, e.REDIS_PASSWORD);
  } catch {
    problems.add(e.REDIS_ADDR && !e.REDIS_URL && !e.REDIS_CACHE_URL ? "REDIS_ADDR" : "REDIS_URL", "not a valid Redis address");
    return undefined;
  }
}
