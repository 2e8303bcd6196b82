import { randomUUID } from "node:crypto";
import { z } from "zod";
import { audited, type Actor } from "../audit/record.js";
import type { Domain } from "../domain.js";
import { AppError, badRequest, notFound, validate } from "../errors.js";
import { findProject } from "../projects/store.js";
import { budgetNanos, budgetUsd, usd } from "../usage/pricing.js";
import { generateTokenSecret, obfuscateId, obfuscateToken } from "./format.js";
import { findTokenRow, insertToken, listTokenRows, updateTokenRow, type TokenChanges, type TokenRow } from "./store.js";

export const MAX_DURATION_MINUTES = 525_600;

export interface TokenView {
  id: string;
  token: string;
  project_id: string;
  expires_at: string | null;
  is_active: boolean;
  deactivated_at: string | null;
  request_count: number;
  max_requests: number | null;
  created_at: string;
  last_used_at: string | null;
  cache_hit_count: number;
  prompt_tokens: number;
  completion_tokens: number;
  rate_limit_rpm: number | null;
  /** Lifetime spend in USD (as flushed: up to USAGE_FLUSH_INTERVAL behind). */
  spend_usd: number;
  /** Lifetime budget in USD; null = none. */
  max_spend_usd: number | null;
}

export interface CreatedToken {
  id: string;
  token: string;
  expires_at: string;
  max_requests?: number;
  rate_limit_rpm?: number;
  max_spend_usd?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids arrive from URLs; anything that is not a UUID cannot name a token. */
async function findById(tx: Parameters<typeof findTokenRow>[0], id: string): Promise<TokenRow> {
  const row = UUID.test(id) ? await findTokenRow(tx, id) : undefined;
  if (!row) throw notFound("token not found");
  return row;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The sanitized shape: the secret is never returned after creation. */
export function tokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    token: obfuscateToken(row.token),
    project_id: row.project_id,
    expires_at: iso(row.expires_at),
    is_active: row.is_active,
    deactivated_at: iso(row.deactivated_at),
    request_count: row.request_count,
    max_requests: row.max_requests,
    created_at: row.created_at.toISOString(),
    last_used_at: iso(row.last_used_at),
    cache_hit_count: row.cache_hit_count,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    rate_limit_rpm: row.rate_limit_rpm,
    spend_usd: usd(row.spend_nanos),
    max_spend_usd: row.max_spend_nanos === null ? null : usd(row.max_spend_nanos),
  };
}

const wholeNumber = (field: string) => z.number({ message: `${field} must be a number` }).int(`${field} must be a whole number`);

export const createTokenInput = z.object({
  project_id: z.string({ message: "project_id must be a string" }).max(200).optional(),
  duration_minutes: wholeNumber("duration_minutes").optional(),
  max_requests: wholeNumber("max_requests").nullable().optional(),
  rate_limit_rpm: wholeNumber("rate_limit_rpm").min(0, "rate_limit_rpm must be >= 0").max(1_000_000, "rate_limit_rpm is too large").nullable().optional(),
  max_spend_usd: budgetUsd("max_spend_usd").optional(),
});

export const updateTokenInput = z.object({
  is_active: z.boolean({ message: "is_active must be a boolean" }).optional(),
  max_requests: wholeNumber("max_requests").nullable().optional(),
  rate_limit_rpm: wholeNumber("rate_limit_rpm").min(0, "rate_limit_rpm must be >= 0").max(1_000_000, "rate_limit_rpm is too large").nullable().optional(),
  max_spend_usd: budgetUsd("max_spend_usd").optional(),
});

function limitOf(maxRequests: number | null | undefined): number | null {
  if (maxRequests === undefined || maxRequests === null) return null;
  if (maxRequests < 0) throw badRequest("max_requests must be >= 0");
  if (maxRequests > 2_147_483_647) throw badRequest("max_requests is too large");
  return maxRequests === 0 ? null : maxRequests;
}

export function createToken(d: Domain, who: Actor, input: unknown, now = new Date()): Promise<CreatedToken> {
  return audited(d.sql, who, "token.create", async (tx, note) => {
    const body = validate(createTokenInput, input);
    const minutes = body.duration_minutes ?? 0;
    note.details.requested_duration_minutes = body.duration_minutes;
    if (minutes <= 0) throw badRequest("project_id and duration_minutes are required");
    if (minutes > MAX_DURATION_MINUTES) {
      note.details.max_duration_minutes = MAX_DURATION_MINUTES;
      throw badRequest("duration_minutes exceeds maximum allowed");
    }
    if (!body.project_id) throw badRequest("project_id is required");
    const maxRequests = limitOf(body.max_requests);
    note.projectId = body.project_id;
    const project = await findProject(tx, body.project_id);
    if (!project) throw notFound("project not found");
    if (!project.is_active) {
      note.details.error_type = "project_inactive";
      throw new AppError("project_inactive", "cannot create tokens for inactive projects");
    }
    const secret = generateTokenSecret();
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + minutes * 60_000);
    await insertToken(tx, {
      id,
      token: d.secrets.tokenLookupKey(secret),
      project_id: project.id,
      expires_at: expiresAt,
      max_requests: maxRequests,
      rate_limit_rpm: body.rate_limit_rpm ?? null,
      max_spend_nanos: budgetNanos(body.max_spend_usd),
    });
    note.tokenId = id;
    Object.assign(note.details, {
      token_id: obfuscateId(id),
      duration_minutes: minutes,
      expires_at: expiresAt.toISOString(),
      max_requests: maxRequests ?? "unlimited",
      max_spend_usd: body.max_spend_usd ?? "none",
    });
    return {
      id,
      token: secret,
      expires_at: expiresAt.toISOString(),
      ...(maxRequests ? { max_requests: maxRequests } : {}),
      ...(body.rate_limit_rpm !== undefined && body.rate_limit_rpm !== null ? { rate_limit_rpm: body.rate_limit_rpm } : {}),
      ...(body.max_spend_usd !== undefined && body.max_spend_usd !== null ? { max_spend_usd: body.max_spend_usd } : {}),
    };
  });
}

export function listTokens(d: Domain, who: Actor, projectId?: string): Promise<TokenView[]> {
  return audited(d.sql, who, "token.list", async (tx, note) => {
    if (projectId) note.projectId = projectId;
    const rows = await listTokenRows(tx, projectId || undefined);
    note.details.token_count = rows.length;
    note.details.filtered_by_project = Boolean(projectId);
    return rows.map(tokenView);
  });
}

export function getToken(d: Domain, who: Actor, id: string): Promise<TokenView> {
  return audited(d.sql, who, "token.read", async (tx, note) => {
    note.tokenId = id;
    const row = await findById(tx, id);
    note.projectId = row.project_id;
    return tokenView(row);
  });
}

export async function updateToken(d: Domain, who: Actor, id: string, input: unknown): Promise<TokenView> {
  const row = await audited(d.sql, who, "token.update", async (tx, note) => {
    note.tokenId = id;
    const body = validate(updateTokenInput, input);
    const current = await findById(tx, id);
    note.projectId = current.project_id;
    const changes: TokenChanges = {};
    if (body.max_requests !== undefined) changes.max_requests = limitOf(body.max_requests);
    if (body.rate_limit_rpm !== undefined) changes.rate_limit_rpm = body.rate_limit_rpm;
    if (body.max_spend_usd !== undefined) changes.max_spend_nanos = budgetNanos(body.max_spend_usd);
    if (body.is_active !== undefined) {
      changes.is_active = body.is_active;
      if (body.is_active !== current.is_active) changes.deactivated_at = body.is_active ? null : new Date();
    }
    if (Object.keys(changes).length === 0) throw badRequest("no fields to update");
    if (body.is_active !== undefined) note.details.updated_is_active = body.is_active;
    if (body.max_requests !== undefined) note.details.updated_max_requests = changes.max_requests ?? "unlimited";
    if (body.rate_limit_rpm !== undefined) note.details.updated_rate_limit_rpm = body.rate_limit_rpm ?? "default";
    if (body.max_spend_usd !== undefined) note.details.updated_max_spend_usd = body.max_spend_usd ?? "none";
    return (await updateTokenRow(tx, id, changes)) as TokenRow;
  });
  d.changes.publish({ kind: "tokens", ids: [row.id] });
  return tokenView(row);
}

/** Idempotent: revoking an inactive token succeeds and says so in the audit row. */
export async function revokeToken(d: Domain, who: Actor, id: string): Promise<void> {
  const row = await audited(d.sql, who, "token.revoke", async (tx, note) => {
    note.tokenId = id;
    const current = await findById(tx, id);
    note.projectId = current.project_id;
    if (!current.is_active) {
      note.details.already_revoked = true;
      return current;
    }
    return (await updateTokenRow(tx, id, { is_active: false, deactivated_at: new Date() })) as TokenRow;
  });
  d.changes.publish({ kind: "tokens", ids: [row.id] });
}
