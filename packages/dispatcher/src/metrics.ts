import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { StreamStats } from "./stream/group.js";

/** The dispatcher's Prometheus figures; stream gauges are read from Redis at scrape time. */
export function createMetrics(readStats: () => Promise<StreamStats>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "dispatcher_" });
  const r = [registry];
  const metrics = {
    registry,
    consumed: new Counter({ name: "dispatcher_events_consumed_total", help: "Stream entries read (new, own pending and claimed)", registers: r }),
    claimed: new Counter({ name: "dispatcher_events_claimed_total", help: "Entries taken over from idle consumers via XAUTOCLAIM", registers: r }),
    delivered: new Counter({ name: "dispatcher_events_delivered_total", help: "Events accepted by a sink", labelNames: ["sink"], registers: r }),
    skipped: new Counter({ name: "dispatcher_events_skipped_total", help: "Events a sink does not want (e.g. non-POST for Lunary)", labelNames: ["sink"], registers: r }),
    retried: new Counter({ name: "dispatcher_delivery_retries_total", help: "Delivery attempts repeated after a transient failure", labelNames: ["sink"], registers: r }),
    deadLettered: new Counter({ name: "dispatcher_events_dead_lettered_total", help: "Entries parked in the dead-letter stream", labelNames: ["reason"], registers: r }),
    deadLetterTrimmed: new Counter({ name: "dispatcher_dead_letters_trimmed_total", help: "Oldest dead letters dropped to keep the dead-letter stream at DISPATCHER_DEAD_LETTER_MAX_LEN", registers: r }),
    trimmed: new Counter({ name: "dispatcher_events_trimmed_total", help: "Pending entries trimmed from the stream (MAXLEN) before delivery: lost", registers: r }),
    acked: new Counter({ name: "dispatcher_events_acked_total", help: "Entries acknowledged to the consumer group", registers: r }),
    loopErrors: new Counter({ name: "dispatcher_loop_errors_total", help: "Redis errors in the read loop (each followed by a back-off pause, 500 ms doubling to 10 s)", registers: r }),
    groupRecreated: new Counter({ name: "dispatcher_group_recreated_total", help: "Times the consumer group was found missing (Redis lost it) and recreated", registers: r }),
    sinkLatency: new Histogram({ name: "dispatcher_sink_latency_seconds", help: "Time to deliver one batch to a sink, retries included", labelNames: ["sink"], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: r }),
  };
  const gauge = (name: string, help: string, pick: (s: StreamStats) => number | null) =>
    new Gauge({
      name,
      help,
      registers: r,
      async collect() {
        const value = await readStats().then(pick, () => null);
        if (value !== null) this.set(value);
      },
    });
  gauge("dispatcher_stream_length", "XLEN of the event stream", (s) => s.length);
  gauge("dispatcher_pending_entries", "Entries delivered to the group but not acknowledged (XPENDING)", (s) => s.pending);
  gauge("dispatcher_group_lag", "Entries not yet read by the group (XINFO GROUPS lag)", (s) => s.lag);
  gauge("dispatcher_dead_letter_length", "XLEN of the dead-letter stream (capped at DISPATCHER_DEAD_LETTER_MAX_LEN)", (s) => s.deadLetters);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The code before the first colon of a dead-letter reason, so the label set stays small. */
export function reasonLabel(reason: string): string {
  return /^[a-z_]+/.exec(reason)?.[0] ?? "other";
}
