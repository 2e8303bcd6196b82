import { LRUCache } from "lru-cache";
import { matchesPurge, type CacheIndexEntry, type CachedResponse, type ResponseCacheStore } from "./port.js";

interface Slot {
  value: CachedResponse;
  index: CacheIndexEntry;
}

/** Bytes an entry is charged: body, headers, vary and index, plus a fixed allowance for the objects. */
function footprint(slot: Slot): number {
  let n = 256 + slot.value.body.length + slot.index.url.length + slot.index.projectId.length;
  for (const [k, v] of Object.entries(slot.value.headers)) n += k.length + v.length + 16;
  for (const [k, v] of Object.entries(slot.value.vary)) n += k.length + v.length + 16;
  return n;
}

/**
 * The embedded-mode store, per process: an LRU whose entries (bodies, headers and index)
 * never total more than `maxBytes`, each dropped at its own TTL. An entry larger than the
 * whole bound is not kept. It has no backend to fail, so `onError` is never called.
 */
export function createMemoryCacheStore(opts: { maxBytes: number; onError?: (err: unknown) => void }): ResponseCacheStore {
  const lru = new LRUCache<string, Slot>({ maxSize: opts.maxBytes, sizeCalculation: footprint });
  return {
    async get(key) {
      const slot = lru.get(key);
      return slot && slot.value.expiresAt > Date.now() ? slot.value : undefined;
    },
    async set(key, value, ttlMs, index) {
      if (!(ttlMs > 0)) return;
      const slot: Slot = { value, index: { ...index, method: index.method.toUpperCase() } };
      if (footprint(slot) > opts.maxBytes) {
        lru.delete(key);
        return;
      }
      lru.set(key, slot, { ttl: Math.ceil(ttlMs) });
    },
    async purge(filter) {
      const doomed: string[] = [];
      for (const [key, slot] of lru.entries()) if (matchesPurge(slot.index, filter)) doomed.push(key);
      let deleted = 0;
      for (const key of doomed) if (lru.has(key) && lru.delete(key)) deleted++;
      return deleted;
    },
    async close() {
      lru.clear();
    },
  };
}
