import { encodeEvent, STREAM_FIELD, type ProxyEvent } from "@llm-proxy/events";
import type { RedisClient } from "../redis/client.js";
import type { BusStats, EventBus } from "./port.js";

export interface RedisBusOptions {
  stream: string;
  /** Approximate stream length cap (`XADD MAXLEN ~`); 0 = unbounded. */
  maxLen: number;
  /** Events held in memory while Redis is slow or down; beyond it new events are dropped. */
  capacity: number;
  batchSize: number;
  onError: (err: unknown) => void;
}

/**
 * Publishes events to a Redis Stream off the request path: `publish` appends to a bounded
 * buffer; a single writer drains it with pipelined XADDs and retries with back-off while Redis
 * is unreachable. `close` writes what is left, within the caller's deadline.
 */
export function createRedisBus(redis: RedisClient, o: RedisBusOptions): EventBus {
  let buffer: ProxyEvent[] = [];
  const stats: BusStats = { published: 0, dropped: 0, buffered: 0 };
  let writing: Promise<void> | undefined;
  let backoffMs = 0;
  let closed = false;

  async function writeBatch(batch: ProxyEvent[]): Promise<void> {
    const pipe = redis.pipeline();
    for (const e of batch) {
      if (o.maxLen > 0) pipe.xadd(o.stream, "MAXLEN", "~", o.maxLen, "*", STREAM_FIELD, encodeEvent(e));
      else pipe.xadd(o.stream, "*", STREAM_FIELD, encodeEvent(e));
    }
    const results = (await pipe.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  function drain(): Promise<void> {
    writing ??= (async () => {
      while (buffer.length > 0) {
        if (backoffMs > 0) await new Promise((r) => setTimeout(r, backoffMs).unref());
        const batch = buffer.slice(0, o.batchSize);
        try {
          await writeBatch(batch);
          buffer = buffer.slice(batch.length);
          stats.published += batch.length;
          backoffMs = 0;
        } catch (err) {
          o.onError(err);
          backoffMs = Math.min(Math.max(backoffMs * 2, 100), 5000);
          if (closed) return;
        }
      }
    })().finally(() => (writing = undefined));
    return writing;
  }

  return {
    publish(event) {
      if (buffer.length >= o.capacity) {
        stats.dropped++;
        return;
      }
      buffer.push(event);
      if (!writing) setImmediate(() => void drain());
    },
    stats: () => ({ ...stats, buffered: buffer.length }),
    async close() {
      closed = true;
      backoffMs = 0;
      await writing;
      await drain();
      stats.dropped += buffer.length;
      buffer = [];
    },
  };
}
