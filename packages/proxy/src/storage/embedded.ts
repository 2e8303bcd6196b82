import { setFlagsFromString } from "node:v8";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { secureDataDir } from "./datadir.js";
import { initDataDir } from "./embedded-init.js";

export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * PGlite sized for a small server. Its defaults (shared_buffers 128MB, work_mem 4MB) made it
 * ~280 MB of the process's RSS; with these ~140 MB. One backend runs one query at a time, and the
 * whole database is small, so an 8MB buffer pool mostly serves from the OS page cache as well.
 * PGlite writes this text over the data directory's postgresql.conf at every open, so it also
 * repeats what initdb wrote there (locale, time zone, text search), or those would fall back to
 * PostgreSQL's built-in defaults.
 */
const POSTGRESQL_CONF = [
  "shared_buffers = 8MB",
  "work_mem = 1MB",
  "maintenance_work_mem = 8MB",
  "temp_buffers = 1MB",
  "max_wal_size = 1GB",
  "min_wal_size = 80MB",
  "dynamic_shared_memory_type = posix",
  "log_timezone = UTC",
  "timezone = UTC",
  "datestyle = 'iso, mdy'",
  "lc_messages = C",
  "lc_monetary = C",
  "lc_numeric = C",
  "lc_time = C",
  "default_text_search_config = 'pg_catalog.english'",
].join("\n");

/**
 * Starts PGlite on `dataDir` (or in memory for "memory://") and a PostgreSQL wire-protocol server
 * for it on a random loopback port. `stop` closes the socket, then the database, which checkpoints
 * so that every committed write survives the next start. On disk, the directory and its files
 * are owner-only (see `secureDataDir`).
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const onDisk = !dataDir.startsWith("memory://");
  if (onDisk) await initDataDir(dataDir);
  // V8's baseline wasm compiler alone: PostgreSQL compiled to wasm is ~8 MB of code, and tiering
  // it up with the optimizing compiler kept ~80 MB more RSS for the life of the process (163 MB
  // in all instead of 244 MB, measured with bench:footprint), while queries here are few and
  // small (tokens and projects are cached; usage is written in batches). V8 derives the tiering
  // flags from --liftoff-only only at its start, so they are set too (Node 24 kept tiering up).
  for (const flag of ["--liftoff-only", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering"]) setFlagsFromString(flag);
  const db = await PGlite.create(dataDir, { postgresqlconf: POSTGRESQL_CONF });
  // PGlite writes the files of a new database 0666 and PostgreSQL's own fopen()s follow the
  // umask: one walk once it is open (also tightening what an older version left readable), and
  // one at stop for what was created while running.
  if (onDisk) await secureDataDir(dataDir);
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(":") + 1));
  return {
    host: "127.0.0.1",
    port,
    async stop() {
      await server.stop();
      await db.close();
      if (onDisk) await secureDataDir(dataDir);
    },
  };
}
