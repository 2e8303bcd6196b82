import { Redis } from "ioredis";

/**
 * Opens a client that keeps reconnecting (ioredis' back-off, capped at 2 s) for as long as the
 * process runs, so a Redis outage, at start or later, is waited out rather than fatal.
 */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: 3 });
}
