import type { RedisClient } from "../redis/client.js";
import type { EventBus, PipelineHealth } from "./port.js";

/**
 * The pipeline's health for the dashboard: the bus's own figures and, on a Redis stream, what
 * the dispatcher's consumer group has not acknowledged yet (count, and the age of the oldest).
 */
export function pipelineHealth(bus: Pick<EventBus, "stats">, stream?: { redis: RedisClient; key: string; group: string }): () => Promise<PipelineHealth> {
  return async () => {
    const stats = bus.stats();
    if (!stream) return { kind: "in-process", status: stats.dropped > 0 ? "degraded" : "ok", ...stats };
    try {
      const summary = (await stream.redis.xpending(stream.key, stream.group)) as [number, string | null, ...unknown[]];
      const oldest = summary[1] ? Number(summary[1].split("-")[0]) : undefined;
      return { kind: "redis", status: "ok", ...stats, pending: Number(summary[0]), ...(oldest ? { lagMs: Date.now() - oldest } : {}) };
    } catch {
      // No consumer group yet (no dispatcher has started), or Redis is down.
      return { kind: "redis", status: stream.redis.status === "ready" ? "degraded" : "down", ...stats };
    }
  };
}
