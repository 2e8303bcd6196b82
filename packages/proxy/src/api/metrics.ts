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
    const f = await m.figures();
    return c.json({
      uptime_seconds: Math.round((Date.now() - m.startedAt) / 1000),
      request_count: f.requests,
      error_count: f.errors,
      proxy_error_count: (await m.proxyErrors.get()).values.reduce((n, v) => n + v.value, 0),
      cache_hits: f.cacheHits,
      cache_misses: f.cacheMisses,
      cache_bypass: f.cacheBypass,
      cache_stores: f.cacheStores,
      in_flight: m.inFlight.current,
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
