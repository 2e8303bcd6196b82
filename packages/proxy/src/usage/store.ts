import type { Tx } from "../storage/db.js";

export interface UsageRow {
  project_id: string;
  model: string;
  hour: Date;
  requests: number;
  errors: number;
  cache_hits: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Nano-dollars. */
  cost_nanos: number;
}

/** Adds a batch of per-(project, model, hour) deltas in one statement. */
export async function addUsage(q: Tx, rows: UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q`
    INSERT INTO usage_hourly ${q(rows, "project_id", "model", "hour", "requests", "errors", "cache_hits", "prompt_tokens", "completion_tokens", "cost_nanos")}
    ON CONFLICT (project_id, hour, model) DO UPDATE SET
      requests = usage_hourly.requests + excluded.requests,
      errors = usage_hourly.errors + excluded.errors,
      cache_hits = usage_hourly.cache_hits + excluded.cache_hits,
      prompt_tokens = usage_hourly.prompt_tokens + excluded.prompt_tokens,
      completion_tokens = usage_hourly.completion_tokens + excluded.completion_tokens,
      cost_nanos = usage_hourly.cost_nanos + excluded.cost_nanos
  `;
}

export interface UsageQuery {
  project_id?: string;
  start: Date;
  end: Date;
  bucket: "hour" | "day";
}

export async function queryUsage(q: Tx, f: UsageQuery): Promise<UsageRow[]> {
  const project = f.project_id === undefined ? q`TRUE` : q`project_id = ${f.project_id}`;
  return q<UsageRow[]>`
    SELECT project_id, model, date_trunc(${f.bucket}, hour, 'UTC') AS hour,
           sum(requests)::bigint AS requests, sum(errors)::bigint AS errors, sum(cache_hits)::bigint AS cache_hits,
           sum(prompt_tokens)::bigint AS prompt_tokens, sum(completion_tokens)::bigint AS completion_tokens,
           sum(cost_nanos)::bigint AS cost_nanos
    FROM usage_hourly
    WHERE ${project} AND hour >= ${f.start} AND hour < ${f.end}
    GROUP BY 1, 2, 3
    ORDER BY 3, 1, 2
  `;
}

/** A project's spend (nano-dollars) in the hours from `since` on: its month, for the budget. */
export async function projectSpendSince(q: Tx, projectId: string, since: Date): Promise<number> {
  const [row] = await q<{ spent: number }[]>`
    SELECT coalesce(sum(cost_nanos), 0)::bigint AS spent FROM usage_hourly WHERE project_id = ${projectId} AND hour >= ${since}
  `;
  return row?.spent ?? 0;
}

/** Several projects' spend (nano-dollars) from `since` on, for lists. */
export async function projectsSpendSince(q: Tx, since: Date): Promise<Map<string, number>> {
  const rows = await q<{ project_id: string; spent: number }[]>`
    SELECT project_id, sum(cost_nanos)::bigint AS spent FROM usage_hourly WHERE hour >= ${since} GROUP BY project_id
  `;
  return new Map(rows.map((r) => [r.project_id, r.spent]));
}
