import { randomUUID } from "node:crypto";
import type { RedisClient } from "../redis/client.js";
import type { RateDecision, RateLimiter } from "./port.js";

/**
 * Sliding log in a sorted set, in one round trip: drop entries older than the window, count,
 * admit and record when under the limit, else report when the oldest entry leaves the window.
 * Times come from the caller's clock so that instances agree within their clock skew.
 */
const SCRIPT = `
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return {1, 0, limit - count - 1}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now, 0}
`;

export function createRedisRateLimiter(redis: RedisClient, prefix: string): RateLimiter {
  redis.defineCommand("llmProxyRateLimit", { numberOfKeys: 1, lua: SCRIPT });
  const run = (redis as unknown as { llmProxyRateLimit(...args: (string | number)[]): Promise<[number, number, number]> }).llmProxyRateLimit.bind(redis);
  return {
    async hit(key, limit, windowMs, now = Date.now()): Promise<RateDecision> {
      const [allowed, retryAfter, remaining] = await run(`${prefix}rl:${key}`, now, windowMs, limit, `${now}-${randomUUID()}`);
      return { allowed: allowed === 1, retryAfterMs: Math.max(allowed === 1 ? 0 : 1, Number(retryAfter)), remaining: Number(remaining) };
    },
    async close() {},
  };
}
