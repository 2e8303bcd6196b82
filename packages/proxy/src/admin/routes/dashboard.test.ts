import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { UsageReport } from "../../usage/verbs.js";
import type { AdminBackend } from "../backend/port.js";
import type { AdminEnv } from "../context.js";
import type { PageFrame } from "../views/layout.js";
import { dashboardRoutes } from "./dashboard.js";

const HOUR = 3_600_000;
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

/**
 * A usage rollup of one project whose answers arrive out of order: the hourly query answers last,
 * after a flush has added requests to the current hour, the others at once (a flush of the usage
 * recorder can land between the dashboard's concurrent queries).
 */
function racingRollup(now: Date) {
  const current = Math.floor(now.getTime() / HOUR) * HOUR;
  const rows = new Map<number, number>([
    [current - 72 * HOUR, 2],
    [current, 1],
  ]);
  return async (_ctx: unknown, q: Record<string, string>): Promise<UsageReport> => {
    const late = q.granularity === "hour";
    if (late) setTimeout(() => rows.set(current, (rows.get(current) ?? 0) + 5), 20);
    await new Promise((resolve) => setTimeout(resolve, late ? 40 : 0));
    const [start, end] = [Date.parse(q.start_time ?? ""), Date.parse(q.end_time ?? "")];
    const requests = [...rows].filter(([hour]) => hour >= start && hour < end).reduce((a, [, n]) => a + n, 0);
    const totals = { requests, errors: 0, cache_hits: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
    return { start_time: q.start_time ?? "", end_time: q.end_time ?? "", granularity: "hour", buckets: [], totals };
  };
}

function dashboard(getUsage: AdminBackend["getUsage"]) {
  const backend: Partial<AdminBackend> = { listProjects: async () => [], listTokens: async () => [], getUsage, health: async () => ({ status: "ok" }) };
  const urls = { bootstrapCss: "", iconsCss: "", bootstrapJs: "", adminCss: "", adminJs: "" };
  const frame: PageFrame = { urls, version: "test", csrf: "", flash: undefined };
  const app = new Hono<AdminEnv>();
  app.use(async function signedIn(c, next) {
    c.set("session", { sid: "s", token: "t", exp: Date.now() + HOUR });
    await next();
  });
  app.route("/", dashboardRoutes({ backend: backend as AdminBackend, frame: () => frame, flash: () => {}, publicApiBaseUrl: "" }));
  return app;
}

describe("dashboard request figures", () => {
  for (const range of ["24h", "7d"]) {
    it(`never shows fewer requests in total than in the last 24 hours, whatever order the rollup answers in (${range})`, async () => {
      const res = await dashboard(racingRollup(new Date())).request(`/dashboard?range=${range}`);
      const [, total, day] = textOf(await res.text()).match(/Requests \(12 months\) ([\d,]+) ([\d,]+) in the last 24 hours/) ?? [];
      expect(Number(total)).toBeGreaterThanOrEqual(Number(day));
      expect(Number(total) - Number(day)).toBe(2);
    });
  }
});
