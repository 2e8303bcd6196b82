import { z } from "zod";
import { audited, type Actor } from "../audit/record.js";
import type { Domain } from "../domain.js";
import { badRequest, notFound, rfc3339, validate } from "../errors.js";
import { findTokenRow } from "../tokens/store.js";
import { usd } from "./pricing.js";
import { queryUsage } from "./store.js";


export const usageQuery = z.strictObject({
  project_id: z.string().max(200).optional(),
  token_id: z.string().max(64).optional(),
  start_time: rfc3339("start_time").optional(),
  end_time: rfc3339("end_time").optional(),
  granularity: z.enum(["hour", "day"], { message: "granularity must be hour or day" }).optional(),
});

export interface UsageBucket {
  start: string;
  project_id: string;
  model: string;
  requests: number;
  errors: number;
  cache_hits: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** USD from the price table. */
  cost_usd: number;
}

export interface UsageReport {
  start_time: string;
  end_time: string;
  granularity: "hour" | "day";
  buckets: UsageBucket[];
  totals: Omit<UsageBucket, "start" | "project_id" | "model">;
  token?: { id: string; project_id: string; request_count: number; cache_hit_count: number; prompt_tokens: number; completion_tokens: number; spend_usd: number; max_spend_usd: number | null };
}

const DAY = 86_400_000;

/** Usage from the hourly rollups (default: the last 24 h), and a token's own totals when asked. */
export function getUsage(d: Domain, who: Actor, query: Record<string, string>, now = new Date()): Promise<UsageReport> {
  return audited(d.sql, who, "usage.read", async (tx, note) => {
    const f = validate(usageQuery, query);
    const end = f.end_time ?? now;
    const start = f.start_time ?? new Date(end.getTime() - DAY);
    if (start >= end) throw badRequest("start_time must be before end_time");
    if (end.getTime() - start.getTime() > 366 * DAY) throw badRequest("the time range may span at most 366 days");
    const granularity = f.granularity ?? "hour";
    let token: UsageReport["token"];
    if (f.token_id) {
      const row = /^[0-9a-f-]{36}$/i.test(f.token_id) ? await findTokenRow(tx, f.token_id) : undefined;
      if (!row) throw notFound("token not found");
      note.tokenId = row.id;
      const { id, project_id, request_count, cache_hit_count, prompt_tokens, completion_tokens } = row;
      const max_spend_usd = row.max_spend_nanos === null ? null : usd(row.max_spend_nanos);
      token = { id, project_id, request_count, cache_hit_count, prompt_tokens, completion_tokens, spend_usd: usd(row.spend_nanos), max_spend_usd };
    }
    const projectId = f.project_id ?? token?.project_id;
    if (projectId) note.projectId = projectId;
    const rows = await queryUsage(tx, { ...(projectId ? { project_id: projectId } : {}), start, end, bucket: granularity });
    const buckets = rows.map(({ hour, cost_nanos, ...r }) => ({ start: hour.toISOString(), ...r, cost_usd: usd(cost_nanos) }));
    const totals = { requests: 0, errors: 0, cache_hits: 0, prompt_tokens: 0, completion_tokens: 0 };
    let costNanos = 0;
    for (const r of rows) {
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
      costNanos += r.cost_nanos;
    }
    return { start_time: start.toISOString(), end_time: end.toISOString(), granularity, buckets, totals: { ...totals, cost_usd: usd(costNanos) }, ...(token ? { token } : {}) };
  });
}
