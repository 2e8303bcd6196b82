import type { Change, ChangeFeed } from "./port.js";

/** The embedded-mode feed: one process, so local delivery is all there is. */
export function createMemoryChangeFeed(): ChangeFeed {
  const listeners = new Set<(change: Change) => void>();
  return {
    publish(change) {
      for (const listener of listeners) listener(change);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
    subscribed: Promise.resolve(),
  };
}
