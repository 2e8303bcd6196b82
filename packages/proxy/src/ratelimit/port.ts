export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the oldest request in the window leaves it. */
  retryAfterMs: number;
  remaining: number;
}

/**
 * Sliding-window request limiter: at most `limit` requests per key in any `windowMs`.
 * Rejects (throws) only when its backend is unreachable; the caller applies the fail mode.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number, now?: number): Promise<RateDecision>;
  close(): Promise<void>;
}
