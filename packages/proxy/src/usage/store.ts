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
}

/** Adds a batch of per-(project, model, hour) deltas in one statement. */
export async function addUsage(q: Tx, rows: UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q`
    INSERT INTO usage_hourly ${q(rows, "project_id", "model", "hour", "requests", "errors", "cache_hits", "prompt_tokens", "completion_tokens")}
    ON CONFLICT (project_id, hour, model) DO UPDATE SET
      requests = usage_hourly.requests + excluded.requests,
      errors = usage_hourly.errors + excluded.errors,
      cache_hits = usage_hourly.cache_hits + excluded.cache_hits,
      prompt_tokens = usage_hourly.prompt_tokens + excluded.prompt_tokens,
      completion_tokens = usage_hourly.completion_tokens + excluded.completion_tokens
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
           sum(prompt_tokens)::bigint AS prompt_tokens, sum(completion_tokens)::bigint AS completion_tokens
    FROM usage_hourly
    WHERE ${project} AND hour >= ${f.start} AND hour < ${f.end}
    GROUP BY 1, 2, 3
    ORDER BY 3, 1, 2
  `;
}
