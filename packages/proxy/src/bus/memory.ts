import type { ProxyEvent } from "@llm-proxy/events";
import type { BusStats, EventBus } from "./port.js";

export type EventConsumer = (batch: ProxyEvent[]) => Promise<void>;

/**
 * How long events gather before the consumer runs again: under load the JSONL writer appends
 * and syncs once per interval instead of once per handful of events (each sync costs the
 * request path a system call and a promise round). Events stay in order and complete.
 */
const LINGER_MS = 10;

/**
 * The embedded-mode bus: a bounded in-process queue drained in batches by one consumer (the
 * JSONL writer when FILE_EVENT_LOG is set). Without a consumer events are counted and dropped.
 */
export function createMemoryBus(capacity: number, consumer: EventConsumer | undefined, onError: (err: unknown) => void): EventBus {
  let queue: ProxyEvent[] = [];
  const stats: BusStats = { published: 0, dropped: 0, buffered: 0 };
  let draining: Promise<void> | undefined;
  let scheduled: NodeJS.Timeout | undefined;
  let closing = false;

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
        if (queue.length > 0 && !closing) await new Promise((r) => setTimeout(r, LINGER_MS));
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
      if (!draining && !scheduled) {
        scheduled = setTimeout(() => {
          scheduled = undefined;
          void drain();
        }, LINGER_MS);
      }
    },
    stats: () => ({ ...stats, buffered: queue.length }),
    async close() {
      closing = true;
      clearTimeout(scheduled);
      scheduled = undefined;
      await draining;
      await drain();
    },
  };
}
