import { Counter, type Registry } from "prom-client";

/** Usage-accounting metrics in the proxy's registry (alarm on either growing). */
export function usageMetrics(registry: Registry) {
  return {
    rejected: new Counter({
      name: "llm_proxy_usage_rows_rejected_total",
      help: "Usage rows the database refused for their values, dropped so that the other rows commit",
      labelNames: ["table"] as const,
      registers: [registry],
    }),
    flushFailures: new Counter({
      name: "llm_proxy_usage_flush_failures_total",
      help: "Usage flushes that failed with the database unreachable or busy; their rows are kept and retried",
      registers: [registry],
    }),
  };
}
