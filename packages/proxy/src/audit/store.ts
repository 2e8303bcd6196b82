import type { Tx } from "../storage/db.js";

export type Outcome = "success" | "failure" | "denied" | "error";

export interface AuditRow {
  id: string;
  timestamp: Date;
  action: string;
  actor: string;
  project_id: string | null;
  request_id: string | null;
  correlation_id: string | null;
  client_ip: string | null;
  method: string | null;
  path: string | null;
  user_agent: string | null;
  outcome: Outcome;
  reason: string | null;
  token_id: string | null;
  metadata: Record<string, unknown> | null;
}

export type NewAuditRow = Omit<AuditRow, "timestamp">;

export async function insertAudit(q: Tx, row: NewAuditRow): Promise<void> {
  await q`
    INSERT INTO audit_events (id, action, actor, project_id, request_id, correlation_id, client_ip,
                              method, path, user_agent, outcome, reason, token_id, metadata)
    VALUES (${row.id}, ${row.action}, ${row.actor}, ${row.project_id}, ${row.request_id},
            ${row.correlation_id}, ${row.client_ip}, ${row.method}, ${row.path}, ${row.user_agent},
            ${row.outcome}, ${row.reason}, ${row.token_id}, ${row.metadata === null ? null : q.json(row.metadata as never)})
  `;
}

export interface AuditFilter {
  action?: string;
  client_ip?: string;
  project_id?: string;
  outcome?: string;
  actor?: string;
  request_id?: string;
  correlation_id?: string;
  method?: string;
  path?: string;
  search?: string;
  start_time?: Date;
  end_time?: Date;
}

const EXACT = ["action", "client_ip", "project_id", "outcome", "actor", "request_id", "correlation_id", "method", "path"] as const;

function where(q: Tx, f: AuditFilter) {
  const parts = [];
  for (const col of EXACT) {
    const v = f[col];
    if (v !== undefined) parts.push(q`${q(col)} = ${v}`);
  }
  if (f.start_time) parts.push(q`"timestamp" >= ${f.start_time}`);
  if (f.end_time) parts.push(q`"timestamp" <= ${f.end_time}`);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    parts.push(q`(
      request_id ILIKE ${like} OR correlation_id ILIKE ${like} OR client_ip ILIKE ${like}
      OR action ILIKE ${like} OR actor ILIKE ${like} OR method ILIKE ${like} OR path ILIKE ${like}
      OR reason ILIKE ${like} OR project_id ILIKE ${like} OR token_id ILIKE ${like}
      OR metadata::text ILIKE ${like}
    )`);
  }
  if (parts.length === 0) return q`TRUE`;
  return parts.reduce((acc, p) => q`${acc} AND ${p}`);
}

export async function listAudit(q: Tx, f: AuditFilter, page: number, pageSize: number) {
  const cond = where(q, f);
  const [counted] = await q<{ count: number }[]>`SELECT count(*)::int AS count FROM audit_events WHERE ${cond}`;
  const rows = await q<AuditRow[]>`
    SELECT * FROM audit_events WHERE ${cond}
    ORDER BY "timestamp" DESC, id DESC
    LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}
  `;
  return { total: counted?.count ?? 0, rows };
}

export async function findAudit(q: Tx, id: string): Promise<AuditRow | undefined> {
  const [row] = await q<AuditRow[]>`SELECT * FROM audit_events WHERE id = ${id}`;
  return row;
}
