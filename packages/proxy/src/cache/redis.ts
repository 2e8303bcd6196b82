import type { RedisClient } from "../redis/client.js";
import { matchesPurge, type CacheIndexEntry, type ResponseCacheStore } from "./port.js";

interface Stored {
  status: number;
  headers: Record<string, string>;
  body: string;
  storedAt: number;
  expiresAt: number;
  vary: Record<string, string>;
  forced: boolean;
}

/**
 * Shared store on Redis: each entry is a JSON value with a TTL; a sorted set per project,
 * scored by expiry, indexes `METHOD url → key` so that purges find entries by URL. Backend
 * errors count as misses.
 */
export function createRedisCacheStore(redis: RedisClient, prefix: string, onError: (err: unknown) => void): ResponseCacheStore {
  const projectsKey = `${prefix}projects`;
  const indexKey = (projectId: string) => `${prefix}idx:${projectId}`;
  const member = (i: CacheIndexEntry, key: string) => `${i.method} ${key} ${i.url}`;
  const parse = (m: string, projectId: string): { key: string; index: CacheIndexEntry } => {
    const [method = "", key = "", ...url] = m.split(" ");
    return { key, index: { projectId, method, url: url.join(" ") } };
  };
  return {
    async get(key) {
      try {
        const text = await redis.get(prefix + key);
        if (!text) return undefined;
        const s = JSON.parse(text) as Stored;
        return { ...s, body: Buffer.from(s.body, "base64") };
      } catch (err) {
        onError(err);
        return undefined;
      }
    },
    async set(key, value, ttlMs, index) {
      const stored: Stored = { ...value, body: value.body.toString("base64") };
      try {
        await redis
          .multi()
          .set(prefix + key, JSON.stringify(stored), "PX", ttlMs)
          .zadd(indexKey(index.projectId), value.expiresAt, member(index, key))
          .zremrangebyscore(indexKey(index.projectId), "-inf", String(Date.now()))
          .sadd(projectsKey, index.projectId)
          .exec();
      } catch (err) {
        onError(err);
      }
    },
    async purge(filter) {
      const projects = filter.projectId !== undefined ? [filter.projectId] : await redis.smembers(projectsKey);
      let deleted = 0;
      for (const projectId of projects) {
        const members = await redis.zrange(indexKey(projectId), "0", "-1");
        const doomed = members.filter((m) => matchesPurge(parse(m, projectId).index, filter));
        if (doomed.length === 0) continue;
        const keys = doomed.map((m) => prefix + parse(m, projectId).key);
        deleted += await redis.del(...keys);
        await redis.zrem(indexKey(projectId), ...doomed);
      }
      return deleted;
    },
    async close() {},
  };
}
