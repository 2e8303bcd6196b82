import { LRUCache } from "lru-cache";
import type { RateDecision, RateLimiter } from "./port.js";

/** The embedded-mode limiter: a timestamp log per key, in a bounded LRU. Exact within one process. */
export function createMemoryRateLimiter(maxKeys = 100_000): RateLimiter {
  const logs = new LRUCache<string, number[]>({ max: maxKeys });
  return {
    async hit(key, limit, windowMs, now = Date.now()): Promise<RateDecision> {
      let log = logs.get(key);
      if (!log) {
        log = [];
        logs.set(key, log);
      }
      let drop = 0;
      while (drop < log.length && (log[drop] as number) <= now - windowMs) drop++;
      if (drop > 0) log.splice(0, drop);
      if (log.length >= limit) {
        return { allowed: false, retryAfterMs: Math.max(1, (log[0] as number) + windowMs - now), remaining: 0 };
      }
      log.push(now);
      return { allowed: true, retryAfterMs: 0, remaining: limit - log.length };
    },
    async close() {
      logs.clear();
    },
  };
}
