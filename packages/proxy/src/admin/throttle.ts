import { LRUCache } from "lru-cache";

export interface ThrottleOptions {
  /** Delay added to every failed sign-in before answering. */
  failureDelayMs?: number;
  /** Failures allowed per address before sign-in is locked for a growing period. */
  freeFailures?: number;
  /** Longest lockout. */
  maxLockMs?: number;
  /** Failures older than this are forgotten. */
  windowMs?: number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/**
 * Slows down guessing the management token: each failure costs a fixed delay, and after a few
 * failures from one address sign-in is refused for an exponentially growing period. Bounded, so a
 * flood of addresses cannot grow memory. Per instance; with several instances an attacker gains
 * at most a factor of the instance count.
 */
export function loginThrottle(opts: ThrottleOptions = {}) {
  const failureDelayMs = opts.failureDelayMs ?? 500;
  const freeFailures = opts.freeFailures ?? 5;
  const maxLockMs = opts.maxLockMs ?? 5 * 60_000;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const entries = new LRUCache<string, Entry>({ max: 10_000 });

  return {
    /** Milliseconds until `ip` may try again, 0 when it may now. */
    retryAfterMs(ip: string, now = Date.now()): number {
      const e = entries.get(ip);
      if (!e) return 0;
      if (now - e.lastFailure > windowMs) {
        entries.delete(ip);
        return 0;
      }
      return Math.max(0, e.lockedUntil - now);
    },
    /** Records a failure and returns how long to hold the answer. */
    failed(ip: string, now = Date.now()): number {
      const prev = entries.get(ip);
      const failures = prev && now - prev.lastFailure <= windowMs ? prev.failures + 1 : 1;
      const over = failures - freeFailures;
      const lockedUntil = over > 0 ? now + Math.min(maxLockMs, 1000 * 2 ** (over - 1)) : 0;
      entries.set(ip, { failures, lastFailure: now, lockedUntil });
      return failureDelayMs;
    },
    succeeded(ip: string): void {
      entries.delete(ip);
    },
  };
}

export type LoginThrottle = ReturnType<typeof loginThrottle>;
