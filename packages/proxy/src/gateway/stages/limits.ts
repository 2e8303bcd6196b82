import { problem, type Problem } from "../../errors.js";
import { usd } from "../../usage/pricing.js";
import { nextMonthStart } from "../../usage/spend.js";
import type { ActiveToken } from "../access.js";
import type { GatewayDeps } from "../deps.js";
import type { Exchange, Outcome } from "../exchange.js";

const CIRCUIT_OPEN = problem("circuit_open");
const LIMITER_DOWN = problem("service_unavailable", "rate limiter unavailable");
const NO_UPSTREAM_KEY = problem("upstream_auth_error", "failed to load upstream API key");

type Deps = Pick<GatewayDeps, "limiter" | "rateLimit" | "metrics" | "spend"> & { access: Pick<GatewayDeps["access"], "consume"> };

/**
 * What may stop an authenticated request that the cache did not answer: an open breaker, the
 * token's and the project's budget (read in memory, never an await), the per-token rate limit,
 * then the quota. Each check spends nothing of those after it: a request refused for its budget
 * takes no rate slot and no quota, one refused for its rate no quota.
 */
export function limits(x: Exchange, deps: Deps): Outcome | Promise<Outcome> {
  if (x.breaker.isOpen()) return CIRCUIT_OPEN;
  const token = x.token as ActiveToken;
  const overBudget = budget(x, token, deps);
  if (overBudget) return overBudget;
  const rpm = token.rateLimitRpm ?? deps.rateLimit.defaultRpm;
  // Nothing to ask a store: no promise on the hot path.
  if (rpm <= 0 && !token.limited) return x.project?.apiKey ? "continue" : NO_UPSTREAM_KEY;
  return checked(x, token, rpm, deps);
}

/**
 * Refuses when the spend already reached a budget before this request: the request that
 * crosses the line is served, the next one is not. A project's refusal lasts until the UTC month turns.
 */
function budget(x: Exchange, token: ActiveToken, deps: Pick<Deps, "spend">): Problem | undefined {
  if (token.maxSpendNanos !== null) {
    const spent = deps.spend.tokenSpent(token.id);
    if (spent >= token.maxSpendNanos) {
      return problem("budget_exceeded", `spent ${usd(spent)} USD of the token's max_spend_usd ${usd(token.maxSpendNanos)}`, { message: "Token budget exceeded (max_spend_usd)", permanent: true });
    }
  }
  const monthly = x.project?.monthlyBudgetNanos ?? null;
  if (monthly === null) return undefined;
  const spent = deps.spend.projectSpent(token.projectId);
  if (spent < monthly) return undefined;
  const now = deps.spend.now();
  const retryAfter = String(Math.ceil((nextMonthStart(now) - now) / 1000));
  return problem("budget_exceeded", `spent ${usd(spent)} USD of the project's monthly_budget_usd ${usd(monthly)} this month (UTC)`, {
    message: "Project monthly budget exceeded (monthly_budget_usd)",
    headers: { "retry-after": retryAfter },
    permanent: true,
  });
}

async function checked(x: Exchange, token: ActiveToken, rpm: number, deps: Deps): Promise<Outcome> {
  const refused = rpm > 0 ? await rate(token, rpm, deps) : undefined;
  if (refused) return refused;
  if (token.limited) {
    const spent = await deps.access.consume(x.secret as string, token);
    if (spent) return spent;
  }
  return x.project?.apiKey ? "continue" : NO_UPSTREAM_KEY;
}

async function rate(token: ActiveToken, rpm: number, deps: Deps): Promise<Problem | undefined> {
  let decision;
  try {
    decision = await deps.limiter.hit(token.id, rpm, 60_000);
  } catch {
    deps.metrics.rateLimit.inc({ outcome: `unavailable_fail_${deps.rateLimit.failMode}` });
    return deps.rateLimit.failMode === "closed" ? LIMITER_DOWN : undefined;
  }
  if (decision.allowed) return undefined;
  deps.metrics.rateLimit.inc({ outcome: "limited" });
  return problem("rate_limit_exceeded", `more than ${rpm} requests per minute`, { headers: { "retry-after": String(Math.ceil(decision.retryAfterMs / 1000)) } });
}
