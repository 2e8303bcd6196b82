import { LRUCache } from "lru-cache";
import { matchesPurge, type CacheIndexEntry, type CachedResponse, type ResponseCacheStore } from "./port.js";

interface Slot {
  value: CachedResponse;
  index: CacheIndexEntry;
}

/** The embedded-mode store: an LRU bounded by the bytes of bodies and headers it holds. */
export function createMemoryCacheStore(maxBytes: number): ResponseCacheStore {
  const lru = new LRUCache<string, Slot>({
    maxSize: maxBytes,
    sizeCalculation: (s) => Math.max(1, s.value.body.length + JSON.stringify(s.value.headers).length + 200),
    ttlAutopurge: false,
  });
  return {
    async get(key) {
      const slot = lru.get(key);
      return slot && slot.value.expiresAt > Date.now() ? slot.value : undefined;
    },
    async set(key, value, ttlMs, index) {
      if (value.body.length >= maxBytes) return;
      lru.set(key, { value, index }, { ttl: ttlMs });
    },
    async purge(filter) {
      const doomed = [...lru.entries()].filter(([, slot]) => matchesPurge(slot.index, filter)).map(([key]) => key);
      return doomed.filter((key) => lru.delete(key)).length;
    },
    async close() {
      lru.clear();
    },
  };
}
