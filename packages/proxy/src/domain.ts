import type { ChangeFeed } from "./revocation/port.js";
import type { Secrets } from "./security/secrets.js";
import type { Sql } from "./storage/db.js";
import type { ResponseCacheStore } from "./cache/port.js";

/** What every domain verb needs; the same object serves the API, the admin UI and the CLI. */
export interface Domain {
  sql: Sql;
  secrets: Secrets;
  changes: ChangeFeed;
  /** The HTTP response cache, when enabled (purges). */
  cache?: ResponseCacheStore | undefined;
}
