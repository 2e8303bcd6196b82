import type { AuditEvent, Project, Token } from "@llm-proxy/proxy/src/api/contract.js";
import { spendOf } from "./budget.js";
import type { Column } from "./output.js";

/** The management API's shapes: the proxy's contract itself, so the CLI follows every field. */
export type { AuditEvent, AuditPage, CreatedToken, Project, ProjectPatch, Token, TokenInput, TokenPatch } from "@llm-proxy/proxy/src/api/contract.js";

export const projectColumns: Column<Project>[] = [
  ["ID", (p) => p.id],
  ["NAME", (p) => p.name],
  ["ACTIVE", (p) => p.is_active],
  ["API KEY", (p) => p.api_key],
  ["CREATED", (p) => p.created_at],
  ["SPEND (MONTH)", (p) => spendOf(p.spend_usd, p.monthly_budget_usd)],
];

export const tokenColumns: Column<Token>[] = [
  ["ID", (t) => t.id],
  ["PROJECT", (t) => t.project_id],
  ["ACTIVE", (t) => t.is_active],
  ["REQUESTS", (t) => `${t.request_count}/${t.max_requests ?? "∞"}`],
  ["CACHE HITS", (t) => t.cache_hit_count],
  ["RPM", (t) => t.rate_limit_rpm ?? "default"],
  ["SPEND", (t) => spendOf(t.spend_usd, t.max_spend_usd)],
  ["EXPIRES", (t) => t.expires_at],
  ["TOKEN", (t) => t.token],
];

export const auditColumns: Column<AuditEvent>[] = [
  ["TIME", (e) => e.timestamp],
  ["ACTION", (e) => e.action],
  ["OUTCOME", (e) => e.outcome],
  ["ACTOR", (e) => e.actor],
  ["PROJECT", (e) => e.project_id],
  ["ID", (e) => e.id],
];

export const enc = encodeURIComponent;
