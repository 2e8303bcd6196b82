import { randomUUID } from "node:crypto";
import { z } from "zod";
import { audited, type Actor } from "../audit/record.js";
import type { Domain } from "../domain.js";
import { AppError, badRequest, notFound, validate } from "../errors.js";
import { revokeProjectTokenRows } from "../tokens/store.js";
import { budgetNanos, budgetUsd, usd } from "../usage/pricing.js";
import { monthStart } from "../usage/spend.js";
import { projectSpendSince, projectsSpendSince } from "../usage/store.js";
import type { Tx } from "../storage/db.js";
import { allProjects, findProject, insertProject, updateProjectRow, type ProjectChanges, type ProjectRow } from "./store.js";

export interface ProjectView {
  id: string;
  name: string;
  api_key: string;
  is_active: boolean;
  deactivated_at?: string;
  created_at: string;
  updated_at: string;
  /** Spend in USD this UTC calendar month (as flushed: up to USAGE_FLUSH_INTERVAL behind). */
  spend_usd: number;
  /** Budget in USD per UTC calendar month; null = none. */
  monthly_budget_usd: number | null;
}

/** ≤4 chars: all `*`; 5–12: first 2 + `*`; longer: first 8 + `...` + last 4 (inventory §4.1). */
export function obfuscateApiKey(key: string): string {
  if (key.length <= 4) return "*".repeat(key.length);
  if (key.length <= 12) return key.slice(0, 2) + "*".repeat(key.length - 2);
  return `${key.slice(0, 8)}...${key.slice(-4)}`;
}

const looksObfuscated = (key: string) => key.includes("...") || key.includes("****");

function view(d: Domain, row: ProjectRow, spentNanos: number): ProjectView {
  return {
    id: row.id,
    name: row.name,
    api_key: obfuscateApiKey(d.secrets.openApiKey(row.api_key)),
    is_active: row.is_active,
    ...(row.deactivated_at ? { deactivated_at: row.deactivated_at.toISOString() } : {}),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    spend_usd: usd(spentNanos),
    monthly_budget_usd: row.monthly_budget_nanos === null ? null : usd(row.monthly_budget_nanos),
  };
}

/** The start of the current UTC month, from which a project's spend counts. */
const thisMonth = () => new Date(monthStart(Date.now()));

async function viewWithSpend(d: Domain, tx: Tx, row: ProjectRow): Promise<ProjectView> {
  return view(d, row, await projectSpendSince(tx, row.id, thisMonth()));
}

const name = z.string({ message: "name must be a string" }).trim().max(200, "name must be at most 200 characters");
const apiKey = z.string({ message: "api_key must be a string" }).max(4096, "api_key must be at most 4096 characters");

export const createProjectInput = z.object({ name: name.optional(), api_key: apiKey.optional(), monthly_budget_usd: budgetUsd("monthly_budget_usd").optional() });
export const updateProjectInput = z.object({
  name: name.optional(),
  api_key: apiKey.optional(),
  is_active: z.boolean({ message: "is_active must be a boolean" }).optional(),
  revoke_tokens: z.boolean({ message: "revoke_tokens must be a boolean" }).optional(),
  monthly_budget_usd: budgetUsd("monthly_budget_usd").optional(),
});

export function listProjects(d: Domain, who: Actor): Promise<ProjectView[]> {
  return audited(d.sql, who, "project.list", async (tx, note) => {
    const rows = await allProjects(tx);
    note.details.project_count = rows.length;
    const spent = await projectsSpendSince(tx, thisMonth());
    return rows.map((r) => view(d, r, spent.get(r.id) ?? 0));
  });
}

export function getProject(d: Domain, who: Actor, id: string): Promise<ProjectView> {
  return audited(d.sql, who, "project.read", async (tx, note) => {
    note.projectId = id;
    const row = await findProject(tx, id);
    if (!row) throw notFound("project not found");
    return viewWithSpend(d, tx, row);
  });
}

export function createProject(d: Domain, who: Actor, input: unknown): Promise<ProjectView> {
  return audited(d.sql, who, "project.create", async (tx, note) => {
    const body = validate(createProjectInput, input);
    if (!body.name || !body.api_key) {
      note.details.validation_error = "missing fields";
      note.details.name_provided = Boolean(body.name);
      note.details.api_key_provided = Boolean(body.api_key);
      throw badRequest("name and api_key are required");
    }
    if (looksObfuscated(body.api_key)) throw badRequest("cannot save obfuscated API key - please provide the full API key");
    const id = randomUUID();
    note.projectId = id;
    note.details.project_name = body.name;
    const row = await insertProject(tx, { id, name: body.name, api_key: d.secrets.sealApiKey(body.api_key), monthly_budget_nanos: budgetNanos(body.monthly_budget_usd) });
    if (!row) throw new AppError("conflict", "a project with this name already exists");
    if (body.monthly_budget_usd != null) note.details.monthly_budget_usd = body.monthly_budget_usd;
    return view(d, row, 0);
  });
}

export interface ProjectUpdateResult {
  project: ProjectView;
  tokensRevoked: number;
}

export async function updateProject(d: Domain, who: Actor, id: string, input: unknown): Promise<ProjectUpdateResult> {
  const result = await audited(d.sql, who, "project.update", async (tx, note) => {
    note.projectId = id;
    const body = validate(updateProjectInput, input);
    if (body.revoke_tokens !== undefined && body.is_active !== false) throw badRequest("revoke_tokens requires is_active=false");
    if (body.name === "") throw badRequest("name cannot be empty");
    if (body.api_key && looksObfuscated(body.api_key)) {
      throw badRequest("cannot save obfuscated API key - please provide the full API key");
    }
    const current = await findProject(tx, id, true);
    if (!current) throw notFound("project not found");

    const changes: ProjectChanges = {};
    if (body.name !== undefined) changes.name = body.name;
    if (body.api_key) changes.api_key = d.secrets.sealApiKey(body.api_key);
    if (body.is_active !== undefined && body.is_active !== current.is_active) {
      changes.is_active = body.is_active;
      changes.deactivated_at = body.is_active ? null : new Date();
    }
    if (body.monthly_budget_usd !== undefined) changes.monthly_budget_nanos = budgetNanos(body.monthly_budget_usd);
    note.details.updated_fields = Object.keys(changes).filter((k) => k !== "deactivated_at");
    const row = await updateProjectRow(tx, id, changes);
    if (!row) throw new AppError("conflict", "a project with this name already exists");
    let revoked: string[] = [];
    if (body.revoke_tokens) revoked = await revokeProjectTokenRows(tx, id);
    note.details.project_name = row.name;
    note.details.tokens_revoked = revoked.length;
    return { project: await viewWithSpend(d, tx, row), revokedKeys: revoked };
  });
  d.changes.publish({ kind: "project", id });
  if (result.revokedKeys.length > 0) d.changes.publish({ kind: "tokens", ids: result.revokedKeys });
  return { project: result.project, tokensRevoked: result.revokedKeys.length };
}

/** Projects are kept for their audit trail: deletion is refused, and the refusal is audited. */
export function deleteProject(d: Domain, who: Actor, id: string): Promise<never> {
  return audited(d.sql, who, "project.delete", async (_tx, note) => {
    note.projectId = id;
    note.details.error_type = "method not allowed";
    throw new AppError("method_not_allowed", "method not allowed", { extra: { message: "project deletion is not permitted" } });
  });
}

export interface BulkRevokeResult {
  revoked_count: number;
  already_revoked_count: number;
  total_tokens: number;
}

export async function revokeProjectTokens(d: Domain, who: Actor, id: string): Promise<BulkRevokeResult> {
  const result = await audited(d.sql, who, "token.revoke_batch", async (tx, note) => {
    note.projectId = id;
    if (!(await findProject(tx, id))) throw notFound("project not found");
    const [counted] = await tx<{ total: number }[]>`SELECT count(*)::int AS total FROM tokens WHERE project_id = ${id}`;
    const total = counted?.total ?? 0;
    const keys = await revokeProjectTokenRows(tx, id);
    const counts = { revoked_count: keys.length, already_revoked_count: total - keys.length, total_tokens: total };
    Object.assign(note.details, counts, { failed_count: 0 });
    return { counts, keys };
  });
  if (result.keys.length > 0) d.changes.publish({ kind: "tokens", ids: result.keys });
  return result.counts;
}
