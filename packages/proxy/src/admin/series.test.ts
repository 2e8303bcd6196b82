import { describe, expect, it } from "vitest";
import type { UsageReport } from "../usage/verbs.js";
import { bucketStarts, chartData } from "./series.js";

const bucket = (start: string, project_id: string, requests: number, model = "m") => ({
  start,
  project_id,
  model,
  requests,
  errors: 0,
  cache_hits: 0,
  prompt_tokens: requests * 10,
  completion_tokens: requests,
});

describe("usage chart series", () => {
  const now = new Date("2025-03-04T10:30:00Z");

  it("has 24 hourly or 7 daily UTC buckets ending with the current one", () => {
    const hours = bucketStarts("24h", now);
    expect(hours).toHaveLength(24);
    expect(hours[23]?.toISOString()).toBe("2025-03-04T10:00:00.000Z");
    expect(hours[0]?.toISOString()).toBe("2025-03-03T11:00:00.000Z");
    const days = bucketStarts("7d", now);
    expect(days.map((d) => d.toISOString().slice(0, 10))).toEqual(["2025-02-26", "2025-02-27", "2025-02-28", "2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04"]);
  });

  it("sums models per project, fills gaps with zero and folds small projects into Other", () => {
    const starts = bucketStarts("24h", now);
    const report = {
      buckets: [
        bucket("2025-03-04T10:00:00.000Z", "a", 5, "m1"),
        bucket("2025-03-04T10:00:00.000Z", "a", 2, "m2"),
        bucket("2025-03-04T09:00:00.000Z", "b", 4),
        bucket("2025-03-04T08:00:00.000Z", "c", 1),
        bucket("2025-03-01T08:00:00.000Z", "c", 99),
      ],
    } as UsageReport;
    const data = chartData(report, starts, "requests", new Map([["a", "Alpha"]]), 2);
    expect(data.series.map((s) => [s.name, s.total])).toEqual([
      ["Alpha", 7],
      ["b", 4],
      ["Other (1 projects)", 1],
    ]);
    expect(data.series[0]?.values).toHaveLength(24);
    expect(data.series[0]?.values[23]).toBe(7);
    expect(data.total).toBe(12);
    expect(chartData(report, starts, "tokens", new Map()).total).toBe(12 * 11);
  });
});
