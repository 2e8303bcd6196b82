/** A change that makes cached token or project state stale. Keys are token lookup keys. */
export type Change = { kind: "tokens"; keys: string[] } | { kind: "project"; id: string };

/**
 * Fans changes out to every instance's caches. The instance that made the change hears it at
 * once (synchronously); other instances hear it through the adapter (Redis pub/sub).
 */
export interface ChangeFeed {
  publish(change: Change): void;
  subscribe(listener: (change: Change) => void): () => void;
  close(): Promise<void>;
}
