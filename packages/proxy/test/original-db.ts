import fs from "node:fs/promises";
import postgres from "postgres";
import initSqlJs from "sql.js";

/**
 * Databases in the Go llm-proxy's own format, built from the schema it documents (inventory
 * §12.1): its SQLite schema file, and its PostgreSQL goose migrations 00001–00006, each a step
 * that tests can stop after to get an earlier state.
 */

/** The original's SQLite schema (`scripts/schema.sql`, final state). */
export const ORIGINAL_SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS projects (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, api_key TEXT NOT NULL,
  is_active BOOLEAN NOT NULL DEFAULT 1, deactivated_at DATETIME,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_projects_name ON projects(name);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, project_id TEXT NOT NULL, expires_at DATETIME,
  is_active BOOLEAN NOT NULL DEFAULT 1, deactivated_at DATETIME, request_count INTEGER NOT NULL DEFAULT 0,
  max_requests INTEGER, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, last_used_at DATETIME,
  cache_hit_count INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_tokens_token ON tokens(token);
CREATE INDEX IF NOT EXISTS idx_tokens_project_id ON tokens(project_id);
CREATE TABLE IF NOT EXISTS audit_events (
  id TEXT PRIMARY KEY, timestamp DATETIME NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL,
  project_id TEXT, request_id TEXT, correlation_id TEXT, client_ip TEXT, method TEXT, path TEXT, user_agent TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied', 'error')),
  reason TEXT, token_id TEXT, metadata TEXT
);
CREATE INDEX IF NOT EXISTS idx_audit_timestamp ON audit_events(timestamp);
PRAGMA foreign_keys = ON;
`;

/** The original's PostgreSQL goose migrations, in order (Up parts only). */
export const ORIGINAL_PG_MIGRATIONS: string[] = [
  // 00001 initial schema: tokens keyed by the secret, projects.openai_api_key, two outcomes.
  `CREATE TABLE IF NOT EXISTS projects (
     id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, openai_api_key TEXT NOT NULL,
     is_active BOOLEAN NOT NULL DEFAULT TRUE,
     created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
   CREATE INDEX IF NOT EXISTS idx_projects_name ON projects(name);
   CREATE TABLE IF NOT EXISTS tokens (
     token TEXT PRIMARY KEY, project_id TEXT NOT NULL, expires_at TIMESTAMP, is_active BOOLEAN NOT NULL DEFAULT TRUE,
     request_count INTEGER NOT NULL DEFAULT 0, max_requests INTEGER,
     created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, last_used_at TIMESTAMP,
     FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE);
   CREATE TABLE IF NOT EXISTS audit_events (
     id TEXT PRIMARY KEY, timestamp TIMESTAMP NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL,
     project_id TEXT, request_id TEXT, correlation_id TEXT, client_ip TEXT, method TEXT, path TEXT, user_agent TEXT,
     outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')), reason TEXT, token_id TEXT, metadata TEXT);`,
  // 00002 deactivation columns.
  `ALTER TABLE projects ADD COLUMN IF NOT EXISTS deactivated_at TIMESTAMP;
   ALTER TABLE tokens ADD COLUMN IF NOT EXISTS deactivated_at TIMESTAMP;`,
  // 00003 per-token cache hits.
  `ALTER TABLE tokens ADD COLUMN IF NOT EXISTS cache_hit_count INTEGER NOT NULL DEFAULT 0;`,
  // 00004 a UUID id becomes the primary key; the secret stays unique.
  `ALTER TABLE tokens ADD COLUMN id UUID DEFAULT gen_random_uuid();
   UPDATE tokens SET id = gen_random_uuid() WHERE id IS NULL;
   ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;
   ALTER TABLE tokens DROP CONSTRAINT tokens_pkey;
   ALTER TABLE tokens ADD PRIMARY KEY (id);
   ALTER TABLE tokens ADD CONSTRAINT tokens_token_unique UNIQUE (token);
   CREATE INDEX idx_tokens_token ON tokens(token);`,
  // 00005 provider-agnostic column name.
  `ALTER TABLE projects RENAME COLUMN openai_api_key TO api_key;`,
  // 00006 all four audit outcomes.
  `ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_outcome_check;
   ALTER TABLE audit_events ADD CONSTRAINT audit_events_outcome_check CHECK (outcome IN ('success', 'failure', 'denied', 'error'));`,
];

/** One row per table, column → value; timestamps as the original writes them (UTC text). */
export interface OriginalSeed {
  projects: Record<string, unknown>[];
  tokens: Record<string, unknown>[];
  audit?: Record<string, unknown>[];
}

/** go-sqlite3's form of a UTC time.Time: `2006-01-02 15:04:05.999999999+00:00`. */
export function goTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "123456+00:00");
}

function insertSql(table: string, row: Record<string, unknown>): { text: string; values: unknown[] } {
  const cols = Object.keys(row);
  return { text: `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`, values: Object.values(row) };
}

/** Writes a SQLite file in the original's format (no native build: sql.js). */
export async function writeOriginalSqlite(file: string, seed: OriginalSeed, schema = ORIGINAL_SQLITE_SCHEMA): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(schema);
  for (const [table, rows] of [["projects", seed.projects], ["tokens", seed.tokens], ["audit_events", seed.audit ?? []]] as const) {
    for (const row of rows) {
      const { text, values } = insertSql(table, row);
      db.run(text.replace(/\$\d+/g, "?"), values.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v)) as never);
    }
  }
  await fs.writeFile(file, db.export());
  db.close();
}

/** Applies the original's migrations 1..`upTo` with goose's version table, then the seed. */
export async function writeOriginalPostgres(url: string, seed: OriginalSeed, upTo = ORIGINAL_PG_MIGRATIONS.length): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now())`;
    await sql`INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)`;
    for (const [i, m] of ORIGINAL_PG_MIGRATIONS.slice(0, upTo).entries()) {
      await sql.unsafe(m);
      await sql`INSERT INTO goose_db_version (version_id, is_applied) VALUES (${i + 1}, true)`;
    }
    for (const [table, rows] of [["projects", seed.projects], ["tokens", seed.tokens], ["audit_events", seed.audit ?? []]] as const) {
      for (const row of rows) {
        const { text, values } = insertSql(table, row);
        await sql.unsafe(text, values as never[]);
      }
    }
  } finally {
    await sql.end();
  }
}
