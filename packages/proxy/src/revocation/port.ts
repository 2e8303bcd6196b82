/**
 * A change that makes cached token or project state stale. Tokens are named by id, never by
 * secret or lookup key: changes cross Redis pub/sub, where anyone subscribed can read them.
 * `all`: any cached state may be stale (changes may have been missed while Redis was away).
 */
export type Change = { kind: "tokens"; ids: string[] } | { kind: "project"; id: string } | { kind: "all" };

/**
 * Fans changes out to every instance's caches. The instance that made the change hears it at
 * once (synchronously); other instances hear it through the adapter (Redis pub/sub).
 */
export interface ChangeFeed {
  publish(change: Change): void;
  subscribe(listener: (change: Change) => void): () => void;
  close(): Promise<void>;
  /** Settles once changes from other instances can reach this one (at once in-process). */
  readonly subscribed: Promise<void>;
}
