import { Hono } from "hono";
import type { BusStats } from "../bus/port.js";
import type { Metrics } from "../observability/metrics.js";
import { safeEqual } from "../security/secrets.js";
import { AppError } from "../errors.js";

export interface MetricsSource {
  metrics: Metrics;
  bus(): BusStats;
  /** Optional bearer token protecting both endpoints. */
  token: string | undefined;
}

async function sum(counter: Metrics["requests"] | Metrics["proxyErrors"] | Metrics["cache"], filter: (labels: Record<string, string | number>) => boolean) {
  const { values } = await counter.get();
  return values.filter((v) => filter(v.labels as Record<string, string | number>)).reduce((n, v) => n + v.value, 0);
}

/** `/metrics` (the original's JSON fields, plus events) and `/metrics/prometheus`. */
export function metricsApi(src: MetricsSource): Hono {
  const app = new Hono();
  app.use("/metrics/*", guard);
  app.use("/metrics", guard);
  async function guard(c: { req: { header(n: string): string | undefined } }, next: () => Promise<void>) {
    if (src.token && !safeEqual(c.req.header("authorization") ?? "", `Bearer ${src.token}`)) {
      throw new AppError("unauthorized", "missing or invalid metrics token");
    }
    await next();
  }
  app.get("/metrics", async (c) => {
    const m = src.metrics;
    const bus = src.bus();
    return c.json({
      uptime_seconds: Math.round((Date.now() - m.startedAt) / 1000),
      request_count: await sum(m.requests, () => true),
      error_count: await sum(m.requests, (l) => l.status_class === "4xx" || l.status_class === "5xx"),
      proxy_error_count: await sum(m.proxyErrors, () => true),
      cache_hits: await sum(m.cache, (l) => l.outcome === "hit"),
      cache_misses: await sum(m.cache, (l) => l.outcome === "miss"),
      cache_bypass: await sum(m.cache, (l) => l.outcome === "bypass"),
      cache_stores: await sum(m.cache, (l) => l.outcome === "stored"),
      in_flight: (await m.inFlight.get()).values[0]?.value ?? 0,
      events_published: bus.published,
      events_dropped: bus.dropped,
      events_buffered: bus.buffered,
    });
  });
  app.get("/metrics/prometheus", async (c) => {
    const bus = src.bus();
    const extra = [
      "# HELP llm_proxy_events_published_total Request events handed to the event sink",
      "# TYPE llm_proxy_events_published_total counter",
      `llm_proxy_events_published_total ${bus.published}`,
      "# HELP llm_proxy_events_dropped_total Request events dropped because the buffer was full or the sink failed",
      "# TYPE llm_proxy_events_dropped_total counter",
      `llm_proxy_events_dropped_total ${bus.dropped}`,
      "# HELP llm_proxy_events_buffered Request events waiting in the in-process buffer",
      "# TYPE llm_proxy_events_buffered gauge",
      `llm_proxy_events_buffered ${bus.buffered}`,
      "",
    ].join("\n");
    return c.text((await src.metrics.registry.metrics()) + extra, 200, { "content-type": src.metrics.registry.contentType });
  });
  return app;
}
