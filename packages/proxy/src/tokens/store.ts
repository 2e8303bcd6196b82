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
  rate_limit_rpm: number | null;
  spend_nanos: number;
  max_spend_nanos: number | null;
}

export async function insertToken(
  q: Tx,
  row: { id: string; token: string; project_id: string; expires_at: Date; max_requests: number | null; rate_limit_rpm: number | null; max_spend_nanos?: number | null },
): Promise<TokenRow> {
  const [created] = await q<TokenRow[]>`
    INSERT INTO tokens (id, token, project_id, expires_at, max_requests, rate_limit_rpm, max_spend_nanos)
    VALUES (${row.id}, ${row.token}, ${row.project_id}, ${row.expires_at}, ${row.max_requests}, ${row.rate_limit_rpm}, ${row.max_spend_nanos ?? null})
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

export interface TokenChanges {
  is_active?: boolean;
  deactivated_at?: Date | null;
  max_requests?: number | null;
  rate_limit_rpm?: number | null;
  max_spend_nanos?: number | null;
}

export async function updateTokenRow(
  q: Tx,
  id: string,
  changes: TokenChanges,
): Promise<TokenRow | undefined> {
  const [row] = await q<TokenRow[]>`UPDATE tokens SET ${q(changes as Record<string, string>)} WHERE id = ${id} RETURNING *`;
  return row;
}

/** Deactivates every active token of a project; returns the ids it revoked. */
export async function revokeProjectTokenRows(q: Tx, projectId: string): Promise<string[]> {
  const rows = await q<{ id: string }[]>`
    UPDATE tokens SET is_active = false, deactivated_at = now()
    WHERE project_id = ${projectId} AND is_active
    RETURNING id
  `;
  return rows.map((r) => r.id);
}

/** What the data plane needs to know about a token. */
export interface TokenAccessRow {
  id: string;
  project_id: string;
  expires_at: Date | null;
  is_active: boolean;
  max_requests: number | null;
  request_count: number;
  rate_limit_rpm: number | null;
  spend_nanos: number;
  max_spend_nanos: number | null;
}

export async function findTokenForAccess(q: Tx, lookupKey: string): Promise<TokenAccessRow | undefined> {
  const [row] = await q<TokenAccessRow[]>`
    SELECT id, project_id, expires_at, is_active, max_requests, request_count, rate_limit_rpm, spend_nanos, max_spend_nanos
    FROM tokens WHERE token = ${lookupKey}
  `;
  return row;
}

/**
 * Counts one request against a limited token, exactly, across every instance: the row is
 * updated only while the token is active, unexpired and under its limit. False when refused.
 */
export async function consumeLimitedRequest(q: Tx, id: string): Promise<boolean> {
  const rows = await q`
    UPDATE tokens SET request_count = request_count + 1, last_used_at = now()
    WHERE id = ${id} AND is_active AND (expires_at IS NULL OR expires_at > now())
      AND (max_requests IS NULL OR request_count < max_requests)
  `;
  return rows.count === 1;
}

export interface TokenUsageDelta {
  id: string;
  requests: number;
  cache_hits: number;
  prompt_tokens: number;
  completion_tokens: number;
  spend_nanos: number;
  last_used_at: Date | null;
}

/** Adds aggregated per-token counters in one statement. */
export async function addTokenUsage(q: Tx, deltas: TokenUsageDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const values = deltas.map((d) => [
    d.id,
    String(d.requests),
    String(d.cache_hits),
    String(d.prompt_tokens),
    String(d.completion_tokens),
    String(d.spend_nanos),
    d.last_used_at?.toISOString() ?? null,
  ]);
  await q`
    UPDATE tokens t SET
      request_count = t.request_count + d.requests::bigint,
      cache_hit_count = t.cache_hit_count + d.cache_hits::bigint,
      prompt_tokens = t.prompt_tokens + d.prompt_tokens::bigint,
      completion_tokens = t.completion_tokens + d.completion_tokens::bigint,
      spend_nanos = t.spend_nanos + d.spend_nanos::bigint,
      last_used_at = greatest(t.last_used_at, d.last_used_at::timestamptz)
    FROM (VALUES ${q(values as never)}) AS d (id, requests, cache_hits, prompt_tokens, completion_tokens, spend_nanos, last_used_at)
    WHERE t.id = d.id::uuid
  `;
}
