import { Counter, type Registry } from "prom-client";
import { HotCounter } from "../observability/hot.js";

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
    // Raised by every priced request: counted on the hot path's terms.
    spend: new HotCounter({
      name: "llm_proxy_spend_usd_total",
      help: "Spend in USD from the price table, per project and priced model (the price table's entry: a model name or glob)",
      labelNames: ["project_id", "model"] as const,
      registers: [registry],
    }),
    unpriced: new Counter({
      name: "llm_proxy_unpriced_requests_total",
      help: "Requests with usage whose model has no price (they cost nothing; each model is named once in a warning)",
      registers: [registry],
    }),
  };
}
