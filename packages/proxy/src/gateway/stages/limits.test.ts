import { describe, expect, it } from "vitest";
import { createMetrics } from "../../observability/metrics.js";
import { createMemoryRateLimiter } from "../../ratelimit/memory.js";
import type { RateLimiter } from "../../ratelimit/port.js";
import { limits } from "./limits.js";
import { exchange } from "./testing.js";

function authenticated(rateLimitRpm: number | null = null) {
  const { x } = exchange();
  Object.assign(x, { apiKey: "sk-up", secret: "sk-secret", token: { id: `tok-${Math.random()}`, projectId: "p", expiresAt: null, limited: false, rateLimitRpm } });
  return x;
}

const deps = (limiter: RateLimiter = createMemoryRateLimiter(), failMode: "open" | "closed" = "open", defaultRpm = 0) => ({
  // Quotas (limited tokens) need the database: the quota suite covers them end to end.
  access: { consume: async () => undefined },
  limiter,
  rateLimit: { defaultRpm, failMode },
  metrics: createMetrics(),
});

describe("limits", () => {
  it("refuses at once while the provider's breaker is open", async () => {
    const x = authenticated();
    for (let i = 0; i < 5; i++) x.breaker.record(502);
    expect(await limits(x, deps())).toMatchObject({ code: "circuit_open" });
  });

  it("applies the token's own rate, else the default, with Retry-After on the refusal", async () => {
    const d = deps(createMemoryRateLimiter(), "open", 2);
    const x = authenticated();
    expect(await limits(x, d)).toBe("continue");
    expect(await limits(x, d)).toBe("continue");
    const refused = await limits(x, d);
    expect(refused).toMatchObject({ code: "rate_limit_exceeded", description: "more than 2 requests per minute" });
    expect(Number((refused as { headers: Record<string, string> }).headers["retry-after"])).toBeGreaterThan(0);
    const own = authenticated(1);
    expect(await limits(own, d)).toBe("continue");
    expect(await limits(own, d)).toMatchObject({ code: "rate_limit_exceeded", description: "more than 1 requests per minute" });
  });

  it("follows RATE_LIMIT_FAIL_MODE when the limiter cannot answer", async () => {
    const broken: RateLimiter = { hit: () => Promise.reject(new Error("redis down")), close: async () => {} };
    expect(await limits(authenticated(5), deps(broken, "open"))).toBe("continue");
    expect(await limits(authenticated(5), deps(broken, "closed"))).toMatchObject({ code: "service_unavailable", description: "rate limiter unavailable" });
  });

  it("refuses a project whose upstream key could not be opened", async () => {
    const x = authenticated();
    x.apiKey = "";
    expect(await limits(x, deps())).toMatchObject({ code: "upstream_auth_error" });
  });
});
