/** A stored upstream response; `vary` holds the request header values it was stored under. */
export interface CachedResponse {
  status: number;
  /** Filtered by `storeDecision`: nothing per connection, per request or per client. */
  headers: Record<string, string>;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
  /** Lowercase request header name → its value when stored, re-checked on every lookup. */
  vary: Record<string, string>;
  /** Stored on the client's opt-in (`Cache-Control: public, max-age=N`) rather than the upstream's word. */
  forced: boolean;
}

/** Where an entry came from, so that purges find it by URL although keys are hashes. */
export interface CacheIndexEntry {
  projectId: string;
  method: string;
  /** Path and query as the client sent them, e.g. `/v1/models?x=1`. */
  url: string;
}

/**
 * What to purge: `all`, or entries matching every given criterion among `url` (exact),
 * `prefix` and `projectId`, narrowed by `method` (HEAD means GET). A filter with none of
 * `all`, `url`, `prefix` or `projectId` matches nothing.
 */
export interface PurgeFilter {
  method?: string | undefined;
  url?: string | undefined;
  prefix?: string | undefined;
  projectId?: string | undefined;
  all?: boolean | undefined;
}

/**
 * A bounded response store. `get`, `set` and `close` always resolve: adapters report their
 * own backend errors through `onError` and behave as a miss. `purge` resolves to how many
 * entries it deleted, and may throw when the backend is unreachable.
 */
export interface ResponseCacheStore {
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, value: CachedResponse, ttlMs: number, index: CacheIndexEntry): Promise<void>;
  purge(filter: PurgeFilter): Promise<number>;
  close(): Promise<void>;
}

/** HEAD is answered from (and indexed as) GET, so a purge naming HEAD means GET. */
export const indexMethod = (method: string): string => {
  const m = method.toUpperCase();
  return m === "HEAD" ? "GET" : m;
};

/** Whether a purge filter selects this entry; every adapter applies exactly this rule. */
export function matchesPurge(index: CacheIndexEntry, f: PurgeFilter): boolean {
  if (f.all === true) return true;
  if (f.url === undefined && f.prefix === undefined && f.projectId === undefined) return false;
  if (f.projectId !== undefined && index.projectId !== f.projectId) return false;
  if (f.method !== undefined && indexMethod(index.method) !== indexMethod(f.method)) return false;
  if (f.url !== undefined && index.url !== f.url) return false;
  return f.prefix === undefined || index.url.startsWith(f.prefix);
}
