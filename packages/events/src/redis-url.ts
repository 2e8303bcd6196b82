/**
 * The one Redis connection rule the proxy and the dispatcher share (import it from
 * `@llm-proxy/events/redis-url`): a `redis://` URL is plain, `rediss://` is TLS, and an SST Cache
 * link is TLS (ElastiCache in-transit encryption) unless its host is loopback, which is a local
 * `dev` Redis without TLS. A password from its own secret (REDIS_PASSWORD) is joined into the URL.
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
