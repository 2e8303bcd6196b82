import { Hono } from "hono";
import type { BackendHealth, PipelineHealth } from "../backend/port.js";
import { callOf, type AdminEnv } from "../context.js";
import { bucketStarts, chartData, usageQueryFor, type UsageRange } from "../series.js";
import { DashboardPage, type DashboardStats } from "../views/dashboard.js";
import type { RouteDeps } from "./deps.js";
import type { ProjectView } from "../../projects/verbs.js";
import type { TokenView } from "../../tokens/verbs.js";
import type { UsageReport } from "../../usage/verbs.js";

const within = <T,>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([p.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

const DAY = 86_400_000;

/**
 * Both request figures come from the usage rollup the charts draw, in two adjacent windows: the
 * last 24 hours (the 24 h chart's hourly buckets) and the 365 days before them. The total is
 * their sum, so it is never below the day, whatever order the two answers arrive in and whatever
 * flush lands between them. (The tokens' request_count would leave out cache hits and requests
 * that never reached the upstream, which the rollup counts.)
 */
async function requestFigures(day: Promise<UsageReport>, earlier: Promise<UsageReport>): Promise<{ total: number; day: number }> {
  const [last24h, before] = await Promise.all([day, earlier]);
  return { total: before.totals.requests + last24h.totals.requests, day: last24h.totals.requests };
}

/** The 365 days that end where the 24 h chart's first hour starts. */
function earlierQuery(now: Date): Record<string, string> {
  const end = (bucketStarts("24h", now)[0] ?? now).getTime();
  return { start_time: new Date(end - 365 * DAY).toISOString(), end_time: new Date(end).toISOString(), granularity: "day" };
}

function statsOf(projects: ProjectView[], tokens: TokenView[], requests: { total: number; day: number }, now: number): DashboardStats {
  const expired = tokens.filter((t) => t.is_active && t.expires_at !== null && Date.parse(t.expires_at) <= now).length;
  const live = tokens.filter((t) => t.is_active && (t.expires_at === null || Date.parse(t.expires_at) > now)).length;
  return {
    projects: projects.length,
    activeProjects: projects.filter((p) => p.is_active).length,
    tokens: tokens.length,
    liveTokens: live,
    expiredTokens: expired,
    totalRequests: requests.total,
    requestsToday: requests.day,
  };
}

export function dashboardRoutes(deps: RouteDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { backend } = deps;

  app.get("/dashboard", async (c) => {
    const call = callOf(c);
    const range: UsageRange = c.req.query("range") === "7d" ? "7d" : "24h";
    const now = new Date();
    const down: BackendHealth = { status: "down" };
    const day = backend.getUsage(call, usageQueryFor("24h", now));
    const [projects, tokens, usage, requests, health, pipeline] = await Promise.all([
      backend.listProjects(call),
      backend.listTokens(call),
      range === "24h" ? day : backend.getUsage(call, usageQueryFor(range, now)),
      requestFigures(day, backend.getUsage(call, earlierQuery(now))),
      within(backend.health(), 2000, down),
      backend.pipeline ? within<PipelineHealth | undefined>(backend.pipeline(), 2000, undefined) : undefined,
    ]);
    const names = new Map(projects.map((p) => [p.id, p.name]));
    const starts = bucketStarts(range, now);
    const charts = {
      requests: chartData(usage, starts, "requests", names),
      tokens: chartData(usage, starts, "tokens", names),
      errors: chartData(usage, starts, "errors", names),
      cache_hits: chartData(usage, starts, "cache_hits", names),
      cost_usd: chartData(usage, starts, "cost_usd", names),
    };
    const stats = statsOf(projects, tokens, requests, now.getTime());
    return c.html(
      <DashboardPage frame={deps.frame(c)} stats={stats} range={range} charts={charts} health={health} pipeline={pipeline} now={now} />,
    );
  });

  return app;
}
