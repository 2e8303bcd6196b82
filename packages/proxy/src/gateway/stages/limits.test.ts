import { describe, expect, it } from "vitest";
import { createMetrics } from "../../observability/metrics.js";
import { createMemoryRateLimiter } from "../../ratelimit/memory.js";
import type { RateLimiter } from "../../ratelimit/port.js";
import type { ProjectEntry } from "../access.js";
import { SpendLedger } from "../../usage/spend.js";
import { limits } from "./limits.js";
import { exchange } from "./testing.js";

function authenticated(rateLimitRpm: number | null = null, budgets: { maxSpendNanos?: number; monthlyBudgetNanos?: number } = {}) {
  const { x } = exchange();
  const token = { id: `tok-${Math.random()}`, projectId: `p-${Math.random()}`, expiresAt: null, limited: false, rateLimitRpm, maxSpendNanos: budgets.maxSpendNanos ?? null };
  const project = { isActive: true, apiKey: "sk-up", fetchedAt: 0, monthlyBudgetNanos: budgets.monthlyBudgetNanos ?? null };
  Object.assign(x, { secret: "sk-secret", token, project });
  return x;
}

const nothingUnflushed = { token: () => 0, project: () => 0 };

const deps = (limiter: RateLimiter = createMemoryRateLimiter(), failMode: "open" | "closed" = "open", defaultRpm = 0, spend = new SpendLedger(nothingUnflushed)) => ({
  // Quotas (limited tokens) need the database: the quota suite covers them end to end.
  access: { consume: async () => undefined },
  limiter,
  rateLimit: { defaultRpm, failMode },
  metrics: createMetrics(),
  spend,
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
    (x.project as ProjectEntry).apiKey = "";
    expect(await limits(x, deps())).toMatchObject({ code: "upstream_auth_error" });
  });

  it("answers without a promise when there is no rate, quota or budget, and when the budgets are in memory", () => {
    expect(limits(authenticated(), deps())).toBe("continue");
    expect(limits(authenticated(null, { maxSpendNanos: 5, monthlyBudgetNanos: 5 }), deps())).toBe("continue");
  });
});

describe("budgets", () => {
  const JAN_31_LATE = Date.UTC(2026, 0, 31, 23, 59, 30);

  it("serves the request that crosses a token's budget and refuses the next, naming the budget, without Retry-After", () => {
    const spend = new SpendLedger(nothingUnflushed);
    const d = deps(undefined, undefined, undefined, spend);
    const x = authenticated(null, { maxSpendNanos: 1_000 });
    const { id, projectId } = x.token as { id: string; projectId: string };
    spend.seedToken(id, 999);
    expect(limits(x, d)).toBe("continue");
    spend.add(id, projectId, 500, Date.now()); // that request cost 500: now 1499 of 1000
    const refused = limits(x, d);
    expect(refused).toMatchObject({ code: "budget_exceeded", message: "Token budget exceeded (max_spend_usd)", description: "spent 0.000001499 USD of the token's max_spend_usd 0.000001" });
    expect((refused as { headers: Record<string, string> }).headers).toEqual({ "x-should-retry": "false" });
  });

  it("refuses a project over its monthly budget with Retry-After until the UTC month turns, and serves it again in the new month", () => {
    let now = JAN_31_LATE;
    const spend = new SpendLedger(nothingUnflushed, () => now);
    const d = deps(undefined, undefined, undefined, spend);
    const x = authenticated(null, { monthlyBudgetNanos: 2_000_000_000 });
    const projectId = (x.token as { projectId: string }).projectId;
    spend.seedProject(projectId, Date.UTC(2026, 0, 1), 2_000_000_000);
    const refused = limits(x, d);
    expect(refused).toMatchObject({ code: "budget_exceeded", message: "Project monthly budget exceeded (monthly_budget_usd)", description: "spent 2 USD of the project's monthly_budget_usd 2 this month (UTC)" });
    expect((refused as { headers: Record<string, string> }).headers["retry-after"]).toBe("30");
    // A January request finishing after midnight counts for January, not February.
    now = Date.UTC(2026, 1, 1, 0, 0, 1);
    spend.add("t", projectId, 7, JAN_31_LATE);
    expect(limits(x, d)).toBe("continue");
    expect(spend.projectSpent(projectId)).toBe(0);
    spend.add("t", projectId, 2_000_000_000, now);
    expect(limits(x, d)).toMatchObject({ code: "budget_exceeded" });
  });

  it("refuses over budget before the rate limit and the quota, so the refusal spends neither", async () => {
    const spend = new SpendLedger(nothingUnflushed);
    const consumed: string[] = [];
    const hits: string[] = [];
    const limiter: RateLimiter = { ...createMemoryRateLimiter(), hit: async (key, ...rest) => (hits.push(key), createMemoryRateLimiter().hit(key, ...rest)) };
    const d = { ...deps(limiter, undefined, undefined, spend), access: { consume: async (secret: string) => (consumed.push(secret), undefined) } };
    const x = authenticated(60, { maxSpendNanos: 1_000 });
    Object.assign(x.token as object, { limited: true });
    spend.seedToken((x.token as { id: string }).id, 0);
    expect(await limits(x, d)).toBe("continue");
    expect([hits.length, consumed.length]).toEqual([1, 1]);
    spend.add((x.token as { id: string }).id, "p", 1_000, Date.now());
    expect(await limits(x, d)).toMatchObject({ code: "budget_exceeded" });
    expect([hits.length, consumed.length]).toEqual([1, 1]);
  });

  it("counts a token's budget before the project's, and only budgets that are set", () => {
    const spend = new SpendLedger(nothingUnflushed);
    const x = authenticated(null, { maxSpendNanos: 0, monthlyBudgetNanos: 0 });
    expect(limits(x, deps(undefined, undefined, undefined, spend))).toMatchObject({ message: "Token budget exceeded (max_spend_usd)" });
    const unbudgeted = authenticated();
    spend.add((unbudgeted.token as { id: string }).id, "p", 10 ** 12, Date.now());
    expect(limits(unbudgeted, deps(undefined, undefined, undefined, spend))).toBe("continue");
  });
});
