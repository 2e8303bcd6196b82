import { z } from "zod";
import type { Domain } from "../domain.js";
import { badRequest, notFound, rfc3339, validate } from "../errors.js";
import { audited, type Actor } from "./record.js";
import { findAudit, listAudit, type AuditFilter, type AuditRow } from "./store.js";

export interface AuditView {
  id: string;
  timestamp: string;
  action: string;
  actor: string;
  project_id?: string;
  request_id?: string;
  correlation_id?: string;
  client_ip?: string;
  method?: string;
  path?: string;
  user_agent?: string;
  outcome: string;
  reason?: string;
  token_id?: string;
  /** A JSON string, as the original returns it. */
  metadata?: string;
}

export interface AuditPage {
  events: AuditView[];
  pagination: { page: number; page_size: number; total_count: number; total_pages: number; has_next: boolean; has_prev: boolean };
}

function view(row: AuditRow): AuditView {
  const v: AuditView = { id: row.id, timestamp: row.timestamp.toISOString(), action: row.action, actor: row.actor, outcome: row.outcome };
  const optional = ["project_id", "request_id", "correlation_id", "client_ip", "method", "path", "user_agent", "reason", "token_id"] as const;
  for (const key of optional) if (row[key]) v[key] = row[key] as string;
  if (row.metadata) v.metadata = JSON.stringify(row.metadata);
  return v;
}

const text = z.string().max(500);
const positive = (field: string, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${field} must be a positive whole number`)
    .transform(Number)
    .refine((n) => n >= 1, `${field} must be a positive whole number`)
    .optional()
    .transform((n) => n ?? fallback);

export const auditQuery = z.object({
  action: text.optional(),
  client_ip: text.optional(),
  project_id: text.optional(),
  outcome: text.optional(),
  actor: text.optional(),
  request_id: text.optional(),
  correlation_id: text.optional(),
  method: text.optional(),
  path: text.optional(),
  search: text.optional(),
  start_time: rfc3339("start_time").optional(),
  end_time: rfc3339("end_time").optional(),
  page: positive("page", 1),
  page_size: positive("page_size", 20).transform((n) => Math.min(n, 100)),
});

export function listAuditEvents(d: Domain, who: Actor, query: Record<string, string>): Promise<AuditPage> {
  return audited(d.sql, who, "audit.list", async (tx, note) => {
    const { page, page_size, ...rest } = validate(auditQuery, query);
    const filter: AuditFilter = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== ""));
    const { total, rows } = await listAudit(tx, filter, page, page_size);
    const totalPages = Math.ceil(total / page_size);
    Object.assign(note.details, { events_count: rows.length, page, page_size, total_count: total });
    return {
      events: rows.map(view),
      pagination: { page, page_size, total_count: total, total_pages: totalPages, has_next: page < totalPages, has_prev: page > 1 },
    };
  });
}

export function getAuditEvent(d: Domain, who: Actor, id: string): Promise<AuditView> {
  return audited(d.sql, who, "audit.show", async (tx, note) => {
    if (!id) throw badRequest("audit event ID is required");
    note.details.audit_event_id = id;
    const row = await findAudit(tx, id);
    if (!row) throw notFound("audit event not found");
    return view(row);
  });
}
