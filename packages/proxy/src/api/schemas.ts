import { z } from "zod";

/** Response shapes, for the OpenAPI document. The verbs' return types are checked against them in tests. */
const time = z.string().describe("RFC 3339 UTC");
const money = z.number().nonnegative().describe("USD");

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  api_key: z.string().describe("obfuscated"),
  is_active: z.boolean(),
  deactivated_at: time.optional(),
  created_at: time,
  updated_at: time,
  spend_usd: money.describe("USD spent this UTC calendar month"),
  monthly_budget_usd: money.nullable().describe("USD per UTC calendar month; null = no budget"),
});

export const tokenSchema = z.object({
  id: z.string().uuid(),
  token: z.string().describe("obfuscated"),
  project_id: z.string(),
  expires_at: time.nullable(),
  is_active: z.boolean(),
  deactivated_at: time.nullable(),
  request_count: z.number().int(),
  max_requests: z.number().int().nullable().describe("null = unlimited"),
  created_at: time,
  last_used_at: time.nullable(),
  cache_hit_count: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  rate_limit_rpm: z.number().int().nullable().describe("null = the configured default, 0 = no limit"),
  spend_usd: money.describe("USD spent in the token's lifetime"),
  max_spend_usd: money.nullable().describe("lifetime budget in USD; null = no budget"),
});

export const createdTokenSchema = z.object({
  id: z.string().uuid(),
  token: z.string().describe("the secret, shown once"),
  expires_at: time,
  max_requests: z.number().int().optional(),
  rate_limit_rpm: z.number().int().optional(),
  max_spend_usd: money.optional(),
});

export const bulkRevokeSchema = z.object({
  revoked_count: z.number().int(),
  already_revoked_count: z.number().int(),
  total_tokens: z.number().int(),
});

export const auditEventSchema = z.object({
  id: z.string(),
  timestamp: time,
  action: z.string(),
  actor: z.string(),
  project_id: z.string().optional(),
  request_id: z.string().optional(),
  correlation_id: z.string().optional(),
  client_ip: z.string().optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  user_agent: z.string().optional(),
  outcome: z.enum(["success", "failure", "denied", "error"]),
  reason: z.string().optional(),
  token_id: z.string().optional(),
  metadata: z.string().optional().describe("JSON object as a string"),
});

export const auditPageSchema = z.object({
  events: z.array(auditEventSchema),
  pagination: z.object({
    page: z.number().int(),
    page_size: z.number().int(),
    total_count: z.number().int(),
    total_pages: z.number().int(),
    has_next: z.boolean(),
    has_prev: z.boolean(),
  }),
});

export const errorSchema = z.object({ error: z.string(), code: z.string().optional() });

const usageCounts = {
  requests: z.number().int(),
  errors: z.number().int(),
  cache_hits: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cost_usd: money,
};

export const usageSchema = z.object({
  start_time: time,
  end_time: time,
  granularity: z.enum(["hour", "day"]),
  buckets: z.array(z.object({ start: time, project_id: z.string(), model: z.string(), ...usageCounts })),
  totals: z.object(usageCounts),
  token: z
    .object({
      id: z.string(),
      project_id: z.string(),
      request_count: z.number().int(),
      cache_hit_count: z.number().int(),
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      spend_usd: money,
      max_spend_usd: money.nullable(),
    })
    .optional(),
});

/** `GET /manage/tokens`: `project_id`, or the original's `projectId`. */
export const tokenListQuery = z.object({ project_id: z.string().optional(), projectId: z.string().optional() });
