import { describe, expect, it } from "vitest";
import { createMetrics } from "../observability/metrics.js";
import { metricsApi } from "./metrics.js";

function served() {
  const metrics = createMetrics();
  const app = metricsApi({ metrics, bus: () => ({ published: 0, dropped: 0, buffered: 0 }), token: undefined });
  const count = (status_class: string, streaming = "false") => metrics.requests.inc({ provider: "openai", status_class, streaming });
  count("2xx");
  count("2xx", "true");
  count("4xx");
  count("5xx");
  for (const outcome of ["hit", "hit", "miss", "bypass", "stored"]) metrics.cache.inc({ outcome });
  return app;
}

/** One sample line of the Prometheus text, by its exact series name (with labels if any). */
const sample = (text: string, series: string) => new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1];

describe("metrics keep the original's names", () => {
  it("exports the original's unlabelled counters and uptime, agreeing with the JSON figures", async () => {
    const app = served();
    const text = await (await app.request("/metrics/prometheus")).text();
    const json = (await (await app.request("/metrics")).json()) as Record<string, number>;
    expect([
      sample(text, "llm_proxy_requests_total"), sample(text, "llm_proxy_errors_total"),
      sample(text, "llm_proxy_cache_hits_total"), sample(text, "llm_proxy_cache_misses_total"), sample(text, "llm_proxy_cache_bypass_total"), sample(text, "llm_proxy_cache_stores_total"),
    ]).toEqual(["4", "2", "2", "1", "1", "1"]);
    expect(json).toMatchObject({ request_count: 4, error_count: 2, cache_hits: 2, cache_misses: 1, cache_bypass: 1, cache_stores: 1 });
    expect(text).toMatch(/^# TYPE llm_proxy_requests_total counter$/m);
    expect(text).toMatch(/^# TYPE llm_proxy_uptime_seconds gauge$/m);
    expect(Number(sample(text, "llm_proxy_uptime_seconds"))).toBeGreaterThanOrEqual(0);
  });

  it("keeps our labelled request counter under its own name", async () => {
    const text = await (await served().request("/metrics/prometheus")).text();
    expect(sample(text, 'llm_proxy_data_plane_requests_total{provider="openai",status_class="2xx",streaming="true"}')).toBe("1");
    expect(text).not.toMatch(/^llm_proxy_requests_total\{/m);
  });
});
