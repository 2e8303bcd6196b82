import type { RedisClient } from "../redis/client.js";
import type { Change, ChangeFeed } from "./port.js";

const RETRY_MS = 1000;

/** A message from another instance; anything unrecognised (another version's shape) drops everything. */
function parseChange(value: unknown): Change {
  const c = value as { kind?: unknown; ids?: unknown; id?: unknown } | null;
  if (c?.kind === "tokens" && Array.isArray(c.ids) && c.ids.every((i) => typeof i === "string")) return { kind: "tokens", ids: c.ids as string[] };
  if (c?.kind === "project" && typeof c.id === "string") return { kind: "project", id: c.id };
  return { kind: "all" };
}

/**
 * Cross-instance fan-out over Redis pub/sub. Local listeners hear a change at once; the
 * message reaches the other instances' subscribers within a round trip. Pub/sub keeps nothing
 * for an instance that is not connected, so nothing is left to the cache TTLs: every
 * (re)subscription tells local listeners that everything may be stale, and a change this
 * instance could not publish becomes an `all` message, sent as soon as Redis answers again.
 */
export function createRedisChangeFeed(publisher: RedisClient, subscriber: RedisClient, channel: string, onError: (err: unknown) => void): ChangeFeed {
  const listeners = new Set<(change: Change) => void>();
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  let owed = false;
  let closed = false;
  const deliver = (change: Change) => {
    for (const listener of listeners) listener(change);
  };
  const send = (change: Change) =>
    publisher.publish(channel, JSON.stringify({ origin, change })).then(
      () => {},
      (err: unknown) => {
        owed = true;
        onError(err);
      },
    );
  const retry = setInterval(() => {
    if (!owed || publisher.status !== "ready") return;
    owed = false;
    void send({ kind: "all" });
  }, RETRY_MS);
  retry.unref();
  subscriber.on("message", (ch: string, text: string) => {
    if (ch !== channel) return;
    try {
      const msg = JSON.parse(text) as { origin?: unknown; change?: unknown };
      if (msg.origin !== origin) deliver(parseChange(msg.change));
    } catch (err) {
      onError(err);
    }
  });
  // Resubscribing is idempotent; once it is confirmed, no later message can be missed, so
  // what was cached while disconnected is dropped then. A confirmation that does not come (a
  // timeout) drops it too, and the subscription is asked for again.
  let confirmed!: () => void;
  const subscribed = new Promise<void>((resolve) => (confirmed = resolve));
  const subscribe = () =>
    void subscriber.subscribe(channel).then(
      () => {
        deliver({ kind: "all" });
        confirmed();
      },
      (err: unknown) => {
        onError(err);
        deliver({ kind: "all" });
        setTimeout(() => !closed && subscriber.status === "ready" && subscribe(), RETRY_MS).unref();
      },
    );
  subscriber.on("ready", subscribe);
  if (subscriber.status === "ready") subscribe();
  return {
    publish(change) {
      deliver(change);
      void send(change);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearInterval(retry);
      listeners.clear();
      subscriber.off("ready", subscribe);
      await subscriber.unsubscribe(channel).catch(() => {});
    },
    subscribed,
  };
}
