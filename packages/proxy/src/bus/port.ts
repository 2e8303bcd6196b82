import type { ProxyEvent } from "@llm-proxy/events";

export interface BusStats {
  published: number;
  dropped: number;
  buffered: number;
}

/**
 * Where request events go. `publish` never blocks and never throws: the buffer is bounded and
 * what does not fit is counted as dropped. `close` delivers what is buffered.
 */
export interface EventBus {
  publish(event: ProxyEvent): void;
  stats(): BusStats;
  close(): Promise<void>;
}

/** The event pipeline as the dashboard shows it; `lagMs`/`pending` only when a dispatcher consumes a stream. */
export interface PipelineHealth {
  kind: "in-process" | "redis";
  status: "ok" | "degraded" | "down";
  published?: number;
  dropped?: number;
  buffered?: number;
  pending?: number;
  lagMs?: number;
}
