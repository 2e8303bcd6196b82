/**
 * Per-upstream circuit breaker: `threshold` consecutive 502/503/504 answers open it for
 * `cooldownMs`; while open every request is refused with 503. Any other status closes it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
  ) {}

  isOpen(now = Date.now()): boolean {
    return now < this.openUntil;
  }

  record(status: number, now = Date.now()): void {
    if (this.threshold <= 0) return;
    if (status === 502 || status === 503 || status === 504) {
      this.failures++;
      if (this.failures >= this.threshold) {
        this.openUntil = now + this.cooldownMs;
        this.failures = 0;
      }
    } else {
      this.failures = 0;
    }
  }
}
