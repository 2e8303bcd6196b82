import { randomUUID } from "node:crypto";
import { AppError } from "../errors.js";
import type { Sql, Tx } from "../storage/db.js";
import { insertAudit, type Outcome } from "./store.js";

/** Who is acting and from where: filled by each front door (API, admin UI, CLI). */
export interface Actor {
  actor: string;
  requestId?: string | undefined;
  correlationId?: string | undefined;
  clientIp?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
  userAgent?: string | undefined;
  referer?: string | undefined;
  origin?: string | undefined;
}

/** What a verb tells the audit row about itself while it runs. */
export interface AuditNote {
  projectId?: string;
  tokenId?: string;
  details: Record<string, unknown>;
}

export interface AuditEntry {
  /** Given when the caller must find the row again (aggregated rows); generated otherwise. */
  id?: string;
  action: string;
  outcome: Outcome;
  reason?: string | undefined;
  note: AuditNote;
}

export async function writeAudit(q: Tx, who: Actor, entry: AuditEntry): Promise<void> {
  const details: Record<string, unknown> = {
    ...(who.method ? { http_method: who.method } : {}),
    ...(who.path ? { endpoint: who.path } : {}),
    ...(who.userAgent ? { user_agent: who.userAgent } : {}),
    ...(who.referer ? { referer: who.referer } : {}),
    ...(who.origin ? { origin: who.origin } : {}),
    ...entry.note.details,
  };
  await insertAudit(q, {
    id: entry.id ?? randomUUID(),
    action: entry.action,
    actor: who.actor,
    project_id: entry.note.projectId ?? null,
    request_id: who.requestId ?? null,
    correlation_id: who.correlationId ?? null,
    client_ip: who.clientIp ?? null,
    method: who.method ?? null,
    path: who.path ?? null,
    user_agent: who.userAgent ?? null,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    token_id: entry.note.tokenId ?? null,
    metadata: details,
  });
}

function outcomeOf(err: unknown): { outcome: Outcome; reason: string } {
  if (err instanceof AppError) {
    const denied = err.code === "forbidden" || err.code === "project_inactive" || err.code === "method_not_allowed";
    const failed = err.status < 500;
    return { outcome: denied ? "denied" : failed ? "failure" : "error", reason: err.message };
  }
  return { outcome: "error", reason: "internal error" };
}

/**
 * Runs a verb in one transaction and records it: on success the audit row commits with the
 * change; on failure the change rolls back and a failure row is written on its own.
 */
export async function audited<T>(sql: Sql, who: Actor, action: string, run: (tx: Tx, note: AuditNote) => Promise<T>): Promise<T> {
  const note: AuditNote = { details: {} };
  try {
    return (await sql.begin(async (tx) => {
      const result = await run(tx, note);
      await writeAudit(tx, who, { action, outcome: "success", note });
      return result;
    })) as T;
  } catch (err) {
    const { outcome, reason } = outcomeOf(err);
    await writeAudit(sql, who, { action, outcome, reason, note }).catch(() => {});
    throw err;
  }
}

/** A `/v1` request refused for a reason the audit trail keeps (an inactive project). */
export interface DeniedRequest {
  projectId: string;
  requestId: string;
  clientIp: string | undefined;
  userAgent: string | undefined;
  method: string;
  path: string;
  reason: string;
}

/** Writes the `proxy_request` / `denied` row of a refused data-plane request, as the original does. */
export function writeDeniedRequest(sql: Sql, r: DeniedRequest): Promise<void> {
  return writeAudit(sql, { actor: "system", requestId: r.requestId, clientIp: r.clientIp, method: r.method, path: r.path, userAgent: r.userAgent }, {
    action: "proxy_request",
    outcome: "denied",
    reason: r.reason,
    note: { projectId: r.projectId, details: { reason: r.reason } },
  });
}
