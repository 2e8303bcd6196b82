import type { Tx } from "../storage/db.js";

export interface TokenRow {
  id: string;
  token: string;
  project_id: string;
  expires_at: Date | null;
  is_active: boolean;
  deactivated_at: Date | null;
  request_count: number;
  max_requests: number | null;
  created_at: Date;
  last_used_at: Date | null;
  cache_hit_count: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export async function insertToken(
  q: Tx,
  row: { id: string; token: string; project_id: string; expires_at: Date; max_requests: number | null },
): Promise<TokenRow> {
  const [created] = await q<TokenRow[]>`
    INSERT INTO tokens (id, token, project_id, expires_at, max_requests)
    VALUES (${row.id}, ${row.token}, ${row.project_id}, ${row.expires_at}, ${row.max_requests})
    RETURNING *
  `;
  return created as TokenRow;
}

export async function listTokenRows(q: Tx, projectId?: string): Promise<TokenRow[]> {
  return projectId === undefined
    ? q<TokenRow[]>`SELECT * FROM tokens ORDER BY created_at DESC, id DESC`
    : q<TokenRow[]>`SELECT * FROM tokens WHERE project_id = ${projectId} ORDER BY created_at DESC, id DESC`;
}

export async function findTokenRow(q: Tx, id: string): Promise<TokenRow | undefined> {
  const [row] = await q<TokenRow[]>`SELECT * FROM tokens WHERE id = ${id}`;
  return row;
}

export async function updateTokenRow(
  q: Tx,
  id: string,
  changes: { is_active?: boolean; deactivated_at?: Date | null; max_requests?: number | null },
): Promise<TokenRow | undefined> {
  const [row] = await q<TokenRow[]>`UPDATE tokens SET ${q(changes as Record<string, string>)} WHERE id = ${id} RETURNING *`;
  return row;
}

/** Deactivates every active token of a project; returns the lookup keys it revoked. */
export async function revokeProjectTokenRows(q: Tx, projectId: string): Promise<string[]> {
  const rows = await q<{ token: string }[]>`
    UPDATE tokens SET is_active = false, deactivated_at = now()
    WHERE project_id = ${projectId} AND is_active
    RETURNING token
  `;
  return rows.map((r) => r.token);
}
