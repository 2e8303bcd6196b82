import type { Column } from "./output.js";

/** The management API's shapes, as far as the CLI reads them (see /manage/openapi.json). */
export interface Project {
  id: string;
  name: string;
  api_key: string;
  is_active: boolean;
  deactivated_at?: string;
  created_at: string;
  updated_at: string;
}

export interface Token {
  id: string;
  token: string;
  project_id: string;
  expires_at: string | null;
  is_active: boolean;
  request_count: number;
  max_requests: number | null;
  created_at: string;
  last_used_at: string | null;
  cache_hit_count: number;
}

export interface CreatedToken {
  id: string;
  token: string;
  expires_at: string;
  max_requests?: number;
}

export interface AuditEvent {
  id: string;
  timestamp: string;
  action: string;
  actor: string;
  outcome: string;
  project_id?: string;
  token_id?: string;
  reason?: string;
  request_id?: string;
}

export interface AuditPage {
  events: AuditEvent[] | null;
  pagination: { page: number; page_size: number; total_count: number; total_pages: number; has_next: boolean; has_prev: boolean };
}

export const projectColumns: Column<Project>[] = [
  ["ID", (p) => p.id],
  ["NAME", (p) => p.name],
  ["ACTIVE", (p) => p.is_active],
  ["API KEY", (p) => p.api_key],
  ["CREATED", (p) => p.created_at],
];

export const tokenColumns: Column<Token>[] = [
  ["ID", (t) => t.id],
  ["PROJECT", (t) => t.project_id],
  ["ACTIVE", (t) => t.is_active],
  ["REQUESTS", (t) => `${t.request_count}/${t.max_requests ?? "∞"}`],
  ["CACHE HITS", (t) => t.cache_hit_count],
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
