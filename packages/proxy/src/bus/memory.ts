import type { ProxyEvent } from "@llm-proxy/events";
import type { BusStats, EventBus } from "./port.js";

export type EventConsumer = (batch: ProxyEvent[]) => Promise<void>;

/**
 * The embedded-mode bus: a bounded in-process queue drained in batches by one consumer (the
 * JSONL writer when FILE_EVENT_LOG is set). Without a consumer events are counted and dropped.
 */
export function createMemoryBus(capacity: number, consumer: EventConsumer | undefined, onError: (err: unknown) => void): EventBus {
  let queue: ProxyEvent[] = [];
  const stats: BusStats = { published: 0, dropped: 0, buffered: 0 };
  let draining: Promise<void> | undefined;

  const drain = (): Promise<void> => {
    draining ??= (async () => {
      while (queue.length > 0 && consumer) {
        const batch = queue;
        queue = [];
        try {
          await consumer(batch);
          stats.published += batch.length;
        } catch (err) {
          stats.dropped += batch.length;
          onError(err);
        }
      }
    })().finally(() => (draining = undefined));
    return draining;
  };

  return {
    publish(event) {
      if (!consumer) {
        stats.dropped++;
        return;
      }
      if (queue.length >= capacity) {
        stats.dropped++;
        return;
      }
      queue.push(event);
      if (!draining) setImmediate(() => void drain());
    },
    stats: () => ({ ...stats, buffered: queue.length }),
    async close() {
      await draining;
      await drain();
    },
  };
}
