import type { RedisClient } from "../redis/client.js";
import type { Change, ChangeFeed } from "./port.js";

/**
 * Cross-instance fan-out over Redis pub/sub. Local listeners hear a change at once; the
 * message reaches the other instances' subscribers within a round trip. When Redis is down,
 * other instances fall back to their cache TTLs.
 */
export function createRedisChangeFeed(publisher: RedisClient, subscriber: RedisClient, channel: string, onError: (err: unknown) => void): ChangeFeed {
  const listeners = new Set<(change: Change) => void>();
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const deliver = (change: Change) => {
    for (const listener of listeners) listener(change);
  };
  subscriber.on("message", (ch: string, text: string) => {
    if (ch !== channel) return;
    try {
      const msg = JSON.parse(text) as { origin: string; change: Change };
      if (msg.origin !== origin) deliver(msg.change);
    } catch (err) {
      onError(err);
    }
  });
  void subscriber.subscribe(channel).catch(onError);
  return {
    publish(change) {
      deliver(change);
      publisher.publish(channel, JSON.stringify({ origin, change })).catch(onError);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
