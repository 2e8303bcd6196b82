import { Redis } from "ioredis";
import type { RedisTarget } from "../config.js";

/** Opens a client; the SST link is ElastiCache with in-transit encryption, hence TLS + AUTH. */
export function connectRedis(target: RedisTarget, name: string): Redis {
  const options = { connectionName: name, maxRetriesPerRequest: 3 };
  if (target.kind === "url") return new Redis(target.url, options);
  return new Redis({ ...options, host: target.host, port: target.port, username: target.username, password: target.password, tls: { servername: target.host } });
}
