import type { Tx } from "../db.js";
import type { ImportedAudit, ImportedProject, ImportedToken } from "./mapping.js";

/** Rows per INSERT: 15 columns × 500 stays far below PostgreSQL's 65535 parameters. */
const BATCH = 500;

function batches<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) out.push(rows.slice(i, i + BATCH));
  return out;
}

/** Of `ids`, those present in `table` (a fixed name, never input). */
export async function existingIds(q: Tx, table: "projects" | "tokens" | "audit_events", ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of batches(ids)) {
    const rows = await q<{ id: string }[]>`SELECT id::text AS id FROM ${q(table)} WHERE id::text IN ${q(chunk)}`;
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/**
 * Inserts rows that conflict with nothing and returns the ids written. A row whose id, or any
 * other unique value (a project's name, a token's lookup key), is already there is left as it
 * is: the caller tells those apart.
 */
async function insertNew<T extends object>(q: Tx, table: string, rows: T[], columns: (keyof T & string)[]): Promise<Set<string>> {
  const cols = columns as string[];
  const written = new Set<string>();
  for (const chunk of batches(rows)) {
    const inserted = await q<{ id: string }[]>`
      INSERT INTO ${q(table)} ${q(chunk as unknown as Record<string, string>[], ...cols)}
      ON CONFLICT DO NOTHING
      RETURNING id::text AS id
    `;
    for (const r of inserted) written.add(r.id);
  }
  return written;
}

export function insertProjects(q: Tx, rows: ImportedProject[]): Promise<Set<string>> {
  return insertNew(q, "projects", rows, ["id", "name", "api_key", "is_active", "deactivated_at", "created_at", "updated_at"]);
}

export function insertTokens(q: Tx, rows: ImportedToken[]): Promise<Set<string>> {
  const columns: (keyof ImportedToken)[] = ["id", "token", "project_id", "expires_at", "is_active", "deactivated_at", "request_count", "max_requests", "created_at", "last_used_at", "cache_hit_count"];
  return insertNew(q, "tokens", rows, columns);
}

export function insertAudit(q: Tx, rows: ImportedAudit[]): Promise<Set<string>> {
  const json = rows.map((r) => ({ ...r, metadata: r.metadata === null ? null : q.json(r.metadata as never) }));
  const columns: (keyof ImportedAudit)[] = ["id", "timestamp", "action", "actor", "project_id", "request_id", "correlation_id", "client_ip", "method", "path", "user_agent", "outcome", "reason", "token_id", "metadata"];
  return insertNew(q, "audit_events", json as unknown as ImportedAudit[], columns);
}
