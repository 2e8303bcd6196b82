import { Hono } from "hono";
import type { BackendHealth, PipelineHealth } from "../backend/port.js";
import { callOf, type AdminEnv } from "../context.js";
import { bucketStarts, chartData, usageQueryFor, type UsageRange } from "../series.js";
import { DashboardPage, type DashboardStats } from "../views/dashboard.js";
import type { RouteDeps } from "./deps.js";
import type { ProjectView } from "../../projects/verbs.js";
import type { TokenView } from "../../tokens/verbs.js";

const within = <T,>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([p.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

const DAY = 86_400_000;

/** The longest window the usage API serves (366 days), in days: the "total" of the requests card. */
function yearQuery(now: Date): Record<string, string> {
  const end = now.getTime() + 1000;
  return { start_time: new Date(end - 366 * DAY).toISOString(), end_time: new Date(end).toISOString(), granularity: "day" };
}

/**
 * Both request figures come from the usage rollup the charts use, over nested windows, so the
 * total can never be below the last 24 hours (the tokens' request_count leaves out cache hits and
 * requests that never reached the upstream, which the rollup counts).
 */
function statsOf(projects: ProjectView[], tokens: TokenView[], requests: { year: number; day: number }, now: number): DashboardStats {
  const expired = tokens.filter((t) => t.is_active && t.expires_at !== null && Date.parse(t.expires_at) <= now).length;
  const live = tokens.filter((t) => t.is_active && (t.expires_at === null || Date.parse(t.expires_at) > now)).length;
  return {
    projects: projects.length,
    activeProjects: projects.filter((p) => p.is_active).length,
    tokens: tokens.length,
    liveTokens: live,
    expiredTokens: expired,
    totalRequests: requests.year,
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
    const [projects, tokens, usage, today, year, health, pipeline] = await Promise.all([
      backend.listProjects(call),
      backend.listTokens(call),
      backend.getUsage(call, usageQueryFor(range, now)),
      range === "24h" ? undefined : backend.getUsage(call, usageQueryFor("24h", now)),
      backend.getUsage(call, yearQuery(now)),
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
    };
    const stats = statsOf(projects, tokens, { year: year.totals.requests, day: (today ?? usage).totals.requests }, now.getTime());
    return c.html(
      <DashboardPage frame={deps.frame(c)} stats={stats} range={range} charts={charts} health={health} pipeline={pipeline} now={now} />,
    );
  });

  return app;
}
