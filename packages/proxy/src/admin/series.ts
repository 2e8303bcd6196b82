import type { UsageReport } from "../usage/verbs.js";

export type UsageRange = "24h" | "7d";
export type Metric = "requests" | "tokens" | "errors" | "cache_hits" | "cost_usd";

export interface Series {
  key: string;
  name: string;
  values: number[];
  total: number;
}

export interface ChartData {
  starts: Date[];
  series: Series[];
  total: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The bucket starts of a range, oldest first, ending with the bucket that holds `now` (UTC). */
export function bucketStarts(range: UsageRange, now = new Date()): Date[] {
  const step = range === "24h" ? HOUR : DAY;
  const count = range === "24h" ? 24 : 7;
  const last = Math.floor(now.getTime() / step) * step;
  return Array.from({ length: count }, (_, i) => new Date(last - (count - 1 - i) * step));
}

/** The `getUsage` query that covers a range's buckets. */
export function usageQueryFor(range: UsageRange, now = new Date()): Record<string, string> {
  const starts = bucketStarts(range, now);
  const first = starts[0] ?? now;
  return { start_time: first.toISOString(), end_time: new Date(now.getTime() + 1000).toISOString(), granularity: range === "24h" ? "hour" : "day" };
}

function valueOf(b: UsageReport["buckets"][number], metric: Metric): number {
  return metric === "tokens" ? b.prompt_tokens + b.completion_tokens : b[metric];
}

/**
 * One series per project (the busiest `maxSeries`, the rest summed as "Other"), one value per
 * bucket, summed over models. Buckets without rows are zero, so every series has the same length.
 */
export function chartData(report: UsageReport, starts: Date[], metric: Metric, names: Map<string, string>, maxSeries = 5): ChartData {
  const index = new Map(starts.map((d, i) => [d.getTime(), i]));
  const perProject = new Map<string, number[]>();
  for (const b of report.buckets) {
    const i = index.get(Date.parse(b.start));
    if (i === undefined) continue;
    const values = perProject.get(b.project_id) ?? new Array<number>(starts.length).fill(0);
    values[i] = (values[i] ?? 0) + valueOf(b, metric);
    perProject.set(b.project_id, values);
  }
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const ranked = [...perProject.entries()]
    .map(([key, values]) => ({ key, name: names.get(key) ?? key, values, total: sum(values) }))
    .filter((s) => s.total > 0)
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  const series = ranked.slice(0, maxSeries);
  const rest = ranked.slice(maxSeries);
  if (rest.length > 0) {
    const values = starts.map((_, i) => rest.reduce((a, s) => a + (s.values[i] ?? 0), 0));
    series.push({ key: "other", name: `Other (${rest.length} projects)`, values, total: sum(values) });
  }
  return { starts, series, total: sum(series.map((s) => s.total)) };
}
