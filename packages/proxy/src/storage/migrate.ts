import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "@llm-proxy/config";
import type { Sql } from "./db.js";

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
/** Arbitrary constant shared by every instance: the advisory lock that serialises migrations. */
const LOCK_ID = 3141592653;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  appliedAt: Date | null;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: await fs.readFile(path.join(dir, file), "utf8"),
    })),
  );
}

async function ensureTable(sql: Sql): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )
  `;
}

/**
 * Refuses a database that holds the Go llm-proxy's tables (its goose schema) instead of ours:
 * migration 0001 would fail there with a bare "relation already exists". Its data is brought
 * over with `migrate import` into a database of this proxy's own.
 */
async function assertNotOriginalSchema(sql: Sql): Promise<void> {
  const [row] = await sql<{ ours: boolean; goose: boolean; projects: boolean }[]>`
    SELECT to_regclass('schema_migrations') IS NOT NULL AS ours,
           to_regclass('goose_db_version') IS NOT NULL AS goose,
           to_regclass('projects') IS NOT NULL AS projects
  `;
  if (!row || row.ours || !(row.goose || row.projects)) return;
  const what = row.goose ? "the Go llm-proxy's schema (its goose_db_version table)" : "a projects table that this proxy did not create";
  throw new ConfigError(
    `DATABASE_URL points at a database that holds ${what}, not this proxy's. Leave that database as it is, ` +
      "point DATABASE_URL at a new, empty database (or unset it to use the embedded one in DATA_DIR), and bring the data over with " +
      "`npm run migrate -- import --from postgres://USER:PASSWORD@HOST/DATABASE` (the URL DATABASE_URL holds now; add --dry-run to see first). See docs/import.md.",
  );
}

/**
 * Applies pending migrations, each in its own transaction that first takes a transaction-level
 * advisory lock: instances that start together wait for each other and then find it done. No
 * reserved connection: with `fetch_types` off, postgres 3.4.9 never hands out a reserved
 * connection that had to be opened for it.
 */
export async function migrateUp(sql: Sql, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await readMigrations());
  await assertNotOriginalSchema(sql);
  const applied: number[] = [];
  for (const m of all) {
    const done = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LOCK_ID})`;
      await ensureTable(tx as unknown as Sql);
      const [row] = await tx`SELECT 1 FROM schema_migrations WHERE version = ${m.version}`;
      if (row) return false;
      try {
        await tx.unsafe(m.sql).simple();
      } catch (err) {
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

export async function migrationStatus(sql: Sql, migrations?: Migration[]): Promise<MigrationStatus[]> {
  const all = migrations ?? (await readMigrations());
  await ensureTable(sql);
  const rows = await sql<{ version: number; applied_at: Date }[]>`SELECT version, applied_at FROM schema_migrations`;
  const applied = new Map(rows.map((r) => [r.version, r.applied_at]));
  return all.map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) ?? null }));
}
