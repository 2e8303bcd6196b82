import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { secureDataDir } from "./datadir.js";

export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts PGlite on `dataDir` (or in memory for "memory://") and a PostgreSQL wire-protocol server
 * for it on a random loopback port. `stop` closes the socket, then the database, which checkpoints
 * so that every committed write survives the next start. On disk, the directory and its files
 * are owner-only (see `secureDataDir`).
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const onDisk = !dataDir.startsWith("memory://");
  if (onDisk) await secureDataDir(dataDir);
  const db = await PGlite.create(dataDir);
  // PGlite writes the files of a new database 0666 and PostgreSQL's own fopen()s follow the
  // umask: tighten again now, and at stop for what was created while running.
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
