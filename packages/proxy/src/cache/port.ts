/** A stored upstream response. `vary` holds the request header values it was stored under. */
export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
  vary: Record<string, string>;
  forced: boolean;
}

/** Where an entry came from, so that purges can find it by URL although keys are hashes. */
export interface CacheIndexEntry {
  projectId: string;
  method: string;
  /** Path and query as the client sent them, e.g. `/v1/models?x=1`. */
  url: string;
}

export interface PurgeFilter {
  method?: string | undefined;
  url?: string | undefined;
  prefix?: string | undefined;
  projectId?: string | undefined;
  all?: boolean | undefined;
}

/**
 * A bounded response store. `get` and `set` never fail a request: adapters report their own
 * backend errors through `onError` and behave as a miss. `purge` returns how many entries went.
 */
export interface ResponseCacheStore {
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, value: CachedResponse, ttlMs: number, index: CacheIndexEntry): Promise<void>;
  purge(filter: PurgeFilter): Promise<number>;
  close(): Promise<void>;
}

export function matchesPurge(index: CacheIndexEntry, f: PurgeFilter): boolean {
  if (f.all) return true;
  if (f.projectId !== undefined && index.projectId !== f.projectId) return false;
  if (f.method !== undefined && index.method !== f.method.toUpperCase()) return false;
  if (f.url !== undefined && index.url !== f.url) return false;
  if (f.prefix !== undefined && !index.url.startsWith(f.prefix)) return false;
  return f.projectId !== undefined || f.url !== undefined || f.prefix !== undefined;
}
