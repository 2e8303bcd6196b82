import { problem, type Problem } from "../../errors.js";
import type { ActiveToken } from "../access.js";
import type { GatewayDeps } from "../deps.js";
import type { Exchange, Outcome } from "../exchange.js";

const CIRCUIT_OPEN = problem("circuit_open");
const LIMITER_DOWN = problem("service_unavailable", "rate limiter unavailable");
const NO_UPSTREAM_KEY = problem("upstream_auth_error", "failed to load upstream API key");

type Deps = Pick<GatewayDeps, "limiter" | "rateLimit" | "metrics"> & { access: Pick<GatewayDeps["access"], "consume"> };

/**
 * What may stop an authenticated request that the cache did not answer: an open breaker, the
 * per-token rate limit, then the quota (a request refused for its rate spends no quota).
 */
export function limits(x: Exchange, deps: Deps): Outcome | Promise<Outcome> {
  if (x.breaker.isOpen()) return CIRCUIT_OPEN;
  const token = x.token as ActiveToken;
  const rpm = token.rateLimitRpm ?? deps.rateLimit.defaultRpm;
  // Nothing to ask a store: no promise on the hot path.
  if (rpm <= 0 && !token.limited) return x.apiKey ? "continue" : NO_UPSTREAM_KEY;
  return checked(x, token, rpm, deps);
}

async function checked(x: Exchange, token: ActiveToken, rpm: number, deps: Deps): Promise<Outcome> {
  const refused = rpm > 0 ? await rate(token, rpm, deps) : undefined;
  if (refused) return refused;
  if (token.limited) {
    const spent = await deps.access.consume(x.secret as string, token);
    if (spent) return spent;
  }
  return x.apiKey ? "continue" : NO_UPSTREAM_KEY;
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
