import type { Cluster, Redis } from "ioredis";
import type { RedisClient } from "../redis/client.js";
import { matchesPurge, type PurgeFilter, type ResponseCacheStore } from "./port.js";

/** The JSON value of an entry; `b` is the body in base64. */
interface Stored {
  s: number;
  h: Record<string, string>;
  b: string;
  t: number;
  e: number;
  v: Record<string, string>;
  f: boolean;
}

/**
 * Index upkeep in one round trip on the index key alone (so it also holds in cluster mode):
 * record the member with its expiry, drop members already expired, and let the index itself
 * expire with its longest-lived member.
 */
const INDEX_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
return 1
`;

const BATCH = 500;
/** SCAN MATCH treats these as pattern syntax; a prefix or project id must match them literally. */
const glob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

/**
 * The shared store on Redis: each entry a JSON value under `<prefix>r:<key>` set with `PX`;
 * per project a sorted set `<prefix>i:<project>` of `[method, url, key]` scored by expiry, so
 * purges find hashed keys by URL and the index never outlives its entries. Backend errors in
 * `get`/`set` go to `onError` and count as a miss / no-op; the client must be built without an
 * offline queue and with a command timeout, so that none of them waits on an outage.
 */
export function createRedisCacheStore(redis: RedisClient, opts: { prefix?: string; onError: (err: unknown) => void }): ResponseCacheStore {
  const prefix = opts.prefix ?? "llmproxy:cache:";
  const entryKey = (key: string) => `${prefix}r:${key}`;
  const indexKey = (projectId: string) => `${prefix}i:${projectId}`;

  async function scan(pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
    const nodes: Redis[] = redis.isCluster ? (redis as Cluster).nodes("master") : [redis as Redis];
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) await each(keys);
      } while (cursor !== "0");
    }
  }

  /** One key per command: a multi-key DEL would cross hash slots in cluster mode. */
  async function unlink(keys: string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += BATCH) {
      const counts = await Promise.all(keys.slice(i, i + BATCH).map((k) => redis.unlink(k)));
      deleted += counts.reduce((a, b) => a + b, 0);
    }
    return deleted;
  }

  /** Deletes the matching entries one project index holds, and their index members. */
  async function purgeIndex(index: string, filter: PurgeFilter): Promise<number> {
    const projectId = index.slice(prefix.length + 2);
    const members: string[] = [];
    let cursor = "0";
    do {
      const [next, flat] = await redis.zscan(index, cursor, "COUNT", 1000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) members.push(flat[i] as string);
    } while (cursor !== "0");
    const doomed = members.flatMap((m) => {
      const [method, url, key] = JSON.parse(m) as [string, string, string];
      return matchesPurge({ projectId, method, url }, filter) ? [{ m, key }] : [];
    });
    if (doomed.length === 0) return 0;
    const deleted = await unlink(doomed.map((d) => entryKey(d.key)));
    for (let i = 0; i < doomed.length; i += BATCH) await redis.zrem(index, ...doomed.slice(i, i + BATCH).map((d) => d.m));
    return deleted;
  }

  return {
    async get(key) {
      try {
        const text = await redis.get(entryKey(key));
        if (text === null) return undefined;
        const s = JSON.parse(text) as Stored;
        if (typeof s.s !== "number" || typeof s.b !== "string" || !(s.e > Date.now())) return undefined;
        return { status: s.s, headers: s.h, body: Buffer.from(s.b, "base64"), storedAt: s.t, expiresAt: s.e, vary: s.v, forced: s.f };
      } catch (err) {
        opts.onError(err);
        return undefined;
      }
    },
    async set(key, value, ttlMs, index) {
      const px = Math.ceil(ttlMs);
      if (!(px > 0)) return;
      const { status, headers, body, storedAt, expiresAt: e, vary, forced } = value;
      const stored: Stored = { s: status, h: headers, b: body.toString("base64"), t: storedAt, e, v: vary, f: forced };
      const member = JSON.stringify([index.method.toUpperCase(), index.url, key]);
      const expiresAt = Date.now() + px;
      // Two keys in possibly different slots: two commands, not a transaction. An index member
      // without its entry is harmless (purges count only what DEL finds) and expires with it.
      const results = await Promise.allSettled([
        redis.set(entryKey(key), JSON.stringify(stored), "PX", px),
        redis.eval(INDEX_SCRIPT, 1, indexKey(index.projectId), expiresAt, member, Date.now()),
      ]);
      for (const r of results) if (r.status === "rejected") opts.onError(r.reason);
    },
    async purge(filter) {
      if (filter.all === true) {
        let deleted = 0;
        await scan(`${glob(prefix)}r:*`, async (keys) => {
          deleted += await unlink(keys);
        });
        await scan(`${glob(prefix)}i:*`, async (keys) => {
          await unlink(keys);
        });
        return deleted;
      }
      if (filter.url === undefined && filter.prefix === undefined && filter.projectId === undefined) return 0;
      if (filter.projectId !== undefined) return purgeIndex(indexKey(filter.projectId), filter);
      const indexes: string[] = [];
      await scan(`${glob(prefix)}i:*`, async (keys) => {
        indexes.push(...keys);
      });
      let deleted = 0;
      for (const index of new Set(indexes)) deleted += await purgeIndex(index, filter);
      return deleted;
    },
    // The client is shared with other stores and closed by its owner.
    async close() {},
  };
}
