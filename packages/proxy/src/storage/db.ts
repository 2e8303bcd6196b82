import postgres from "postgres";
import type { StorageConfig } from "../config.js";
import { unavailable } from "../errors.js";

/** The one postgres.js instance type used by every query module. */
export type Sql = postgres.Sql;
/** A transaction handle from `sql.begin`; query modules accept either. */
export type Tx = postgres.TransactionSql | postgres.Sql;

export interface Database {
  sql: Sql;
  kind: StorageConfig["kind"];
  /** Round trip used by /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * No query uses array types, so the driver need not fetch them on every connect: a connection
 * reset during that fetch rejects a promise nothing handles in postgres 3.4.9 and ends the
 * process (porsager/postgres#1192, #1223). With it off, `sql.reserve()` never resolves when it
 * has to open a connection (3.4.9): use `sql.begin`.
 */
const FETCH_TYPES = false;

const types = {
  // bigint counters come back as numbers: they stay far below 2^53.
  bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
};

/**
 * Opens the configured database. Embedded mode starts PGlite in the data directory and serves it
 * to postgres.js over a loopback socket inside this process, so both modes run identical SQL.
 */
export async function openDatabase(config: StorageConfig): Promise<Database> {
  if (config.kind === "postgres") {
    const sql = postgres(config.url, {
      max: config.poolSize,
      idle_timeout: 20,
      max_lifetime: 1800,
      connect_timeout: 5,
      ssl: config.ssl === "disable" ? false : config.ssl === "require" ? "require" : "verify-full",
      onnotice: () => {},
      fetch_types: FETCH_TYPES,
      types,
    });
    return wrap(sql, "postgres", async () => {});
  }
  // Loaded only in embedded mode: PGlite's code is large and services mode never needs it.
  const { startEmbeddedPostgres } = await import("./embedded.js");
  const embedded = await startEmbeddedPostgres(config.dataDir);
  const sql = postgres({
    host: embedded.host,
    port: embedded.port,
    database: "postgres",
    username: "postgres",
    // PGlite serves one connection; postgres.js pipelines over it.
    max: 1,
    ssl: false,
    onnotice: () => {},
    fetch_types: FETCH_TYPES,
    types,
  });
  return wrap(sql, "embedded", embedded.stop);
}

/**
 * Whether the database answers `select 1` within `timeoutMs`. postgres.js neither fails nor times
 * out a query that meets a connection reset by an outage: it waits until the server is back
 * (porsager/postgres#1186, #1215), so callers ask this first rather than queue work that would
 * hang and then run late.
 */
export async function answers(sql: Sql, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
  try {
    return await Promise.race([sql`select 1`.then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export const DATABASE_DOWN = "the database is unavailable; try again shortly";
/** How long a management call waits for the database to answer before it is a 503. */
const DATABASE_WAIT_MS = 3000;

/** A 503 unless the database answers within 3 s: the management front doors ask before any work. */
export async function requireDatabase(sql: Sql): Promise<void> {
  if (!(await answers(sql, DATABASE_WAIT_MS))) throw unavailable(DATABASE_DOWN);
}

function wrap(sql: Sql, kind: StorageConfig["kind"], stopServer: () => Promise<void>): Database {
  return {
    sql,
    kind,
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
      await stopServer();
    },
  };
}
