import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Database, SqlJsStatic } from "sql.js";
import { ImportSourceError, describeLayout, originalSelects, recogniseOriginal, type OriginalData, type SourceColumns, type SourceRow } from "./original-schema.js";

const HEADER = "SQLite format 3\0";

/**
 * sql.js is SQLite compiled to WebAssembly: it reads the file on every Node version with no
 * native build. Loaded on first use only; its .wasm file is found next to its script in
 * node_modules, from the sources and from the bundle alike (esbuild leaves packages external).
 */
async function loadSqlJs(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url);
  const { default: initSqlJs } = await import("sql.js");
  const dir = path.dirname(require.resolve("sql.js"));
  return initSqlJs({ locateFile: (file: string) => path.join(dir, file) });
}

function all(db: Database, query: string): SourceRow[] {
  const stmt = db.prepare(query);
  try {
    const rows: SourceRow[] = [];
    while (stmt.step()) rows.push(stmt.getAsObject());
    return rows;
  } finally {
    stmt.free();
  }
}

function columnsOf(db: Database): SourceColumns {
  const columns: SourceColumns = new Map();
  for (const t of all(db, "SELECT name FROM sqlite_master WHERE type = 'table'")) {
    const table = String(t.name);
    const cols = all(db, `SELECT name FROM pragma_table_info('${table.replace(/'/g, "''")}')`).map((c) => String(c.name));
    columns.set(table, new Set(cols));
  }
  return columns;
}

async function readFile(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportSourceError(code === "ENOENT" ? `${file}: no such file (expected the Go llm-proxy's SQLite file or a postgres:// URL)` : `${file}: ${(err as Error).message}`);
  }
  if (bytes.subarray(0, HEADER.length).toString("latin1") !== HEADER) {
    throw new ImportSourceError(`${file} is not a SQLite database (expected the Go llm-proxy's SQLite file or a postgres:// URL)`);
  }
  // The original runs SQLite in WAL mode: writes since its last checkpoint live in the -wal file,
  // which an in-memory copy of the main file would silently miss.
  const wal = await fs.stat(`${file}-wal`).catch(() => undefined);
  if (wal && wal.size > 0) {
    throw new ImportSourceError(
      `${file}-wal holds writes not yet in ${file}: stop the Go llm-proxy (it checkpoints when it closes), ` +
        `or run \`sqlite3 ${file} "PRAGMA wal_checkpoint(TRUNCATE)"\`, then import again`,
    );
  }
  return bytes;
}

/** Reads the whole of the original's SQLite file: projects, tokens and audit events. */
export async function readSqliteSource(file: string): Promise<OriginalData> {
  const bytes = await readFile(file);
  const SQL = await loadSqlJs();
  let db: Database;
  try {
    db = new SQL.Database(bytes);
  } catch (err) {
    throw new ImportSourceError(`${file} cannot be opened as SQLite: ${(err as Error).message}`);
  }
  try {
    const layout = recogniseOriginal(columnsOf(db), file);
    const q = originalSelects(layout, (c) => c, (c) => c);
    return {
      kind: "sqlite",
      location: file,
      schema: `SQLite, ${describeLayout(layout)}`,
      layout,
      projects: all(db, q.projects),
      tokens: all(db, q.tokens),
      audit: q.audit ? all(db, q.audit) : [],
    };
  } catch (err) {
    if (err instanceof ImportSourceError) throw err;
    throw new ImportSourceError(`${file} cannot be read: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
