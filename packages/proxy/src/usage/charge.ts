import type { TokenUsage } from "@llm-proxy/events/usage";
import type { Counter } from "prom-client";
import { cleanModel } from "./clean.js";
import { costNanos, usd, type Pricing } from "./pricing.js";

/** A request's cost in nano-dollars for its project, model and usage; 0 when the model has no price. */
export type Charge = (projectId: string, model: string, usage: TokenUsage) => number;

const WARNED_MAX = 1000;

/**
 * Prices usage with the table and counts it: spend per project and priced model; a model with
 * no price in the unpriced counter, and in a warning the first time it is seen.
 */
export function charger(
  pricing: Pick<Pricing, "priceOf">,
  counters: { spend: { inc(labels: { project_id: string; model: string }, value: number): void }; unpriced: Pick<Counter, "inc"> },
  warn: (model: string) => void,
): Charge {
  const warned = new Set<string>();
  return (projectId, model, usage) => {
    const price = pricing.priceOf(model);
    if (!price) {
      counters.unpriced.inc();
      const name = cleanModel(model);
      if (!warned.has(name) && warned.size < WARNED_MAX) {
        warned.add(name);
        warn(name);
      }
      return 0;
    }
    const nanos = costNanos(usage, price);
    if (nanos > 0) counters.spend.inc({ project_id: projectId, model: price.key }, usd(nanos));
    return nanos;
  };
}
