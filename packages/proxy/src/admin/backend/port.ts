import type { AuditPage, AuditView } from "../../audit/verbs.js";
import type { BulkRevokeResult, ProjectView } from "../../projects/verbs.js";
import type { CreatedToken, TokenView } from "../../tokens/verbs.js";
import type { UsageReport } from "../../usage/verbs.js";
import type { PipelineHealth } from "../../bus/port.js";
import type { ProjectInput, ProjectPatch, TokenInput, TokenPatch } from "../../api/contract.js";

/** The browser behind an admin action, as the audit trail records it. */
export interface BrowserInfo {
  clientIp?: string | undefined;
  userAgent?: string | undefined;
  referer?: string | undefined;
  requestId?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
}

/** One call on behalf of a signed-in admin. */
export interface CallContext {
  /** The management token from the admin's session. */
  token: string;
  browser: BrowserInfo;
}

/** Inputs as the management API takes them: one contract for the API, both backends and the CLI. */
export type { ProjectInput, ProjectPatch, TokenInput, TokenPatch } from "../../api/contract.js";

export interface BackendHealth {
  status: "ok" | "degraded" | "down";
  detail?: unknown;
}

export type { PipelineHealth } from "../../bus/port.js";

/**
 * Everything the admin pages need from the management plane. Two implementations: the domain
 * verbs in this process, or the `/manage` API over HTTP. Both throw `AppError` with the API's
 * status and message; a 401 means the session's token is no longer valid.
 */
export interface AdminBackend {
  /** True when `token` is the management token. Failed attempts are audited by the backend. */
  login(token: string, browser: BrowserInfo): Promise<boolean>;
  /** Records a signed-in session (`sessionId`: SHA-256 of its sid) so that every instance can check and end it. */
  startSession(ctx: CallContext, sessionId: string, expiresAt: Date): Promise<void>;
  /** False once the session was ended or expired, or its token is no longer the management token. */
  sessionActive(ctx: CallContext, sessionId: string): Promise<boolean>;
  /** Ends the session on every instance (and audits the sign-out). */
  logout(ctx: CallContext, sessionId: string): Promise<void>;
  listProjects(ctx: CallContext): Promise<ProjectView[]>;
  getProject(ctx: CallContext, id: string): Promise<ProjectView>;
  createProject(ctx: CallContext, input: ProjectInput): Promise<ProjectView>;
  updateProject(ctx: CallContext, id: string, patch: ProjectPatch): Promise<ProjectView>;
  revokeProjectTokens(ctx: CallContext, id: string): Promise<BulkRevokeResult>;
  listTokens(ctx: CallContext, projectId?: string): Promise<TokenView[]>;
  getToken(ctx: CallContext, id: string): Promise<TokenView>;
  createToken(ctx: CallContext, input: TokenInput): Promise<CreatedToken>;
  updateToken(ctx: CallContext, id: string, patch: TokenPatch): Promise<TokenView>;
  revokeToken(ctx: CallContext, id: string): Promise<void>;
  listAudit(ctx: CallContext, query: Record<string, string>): Promise<AuditPage>;
  getAudit(ctx: CallContext, id: string): Promise<AuditView>;
  getUsage(ctx: CallContext, query: Record<string, string>): Promise<UsageReport>;
  /** The management plane's own health (database, Redis), for the dashboard and `/health`. */
  health(): Promise<BackendHealth>;
  /** Optional: event bus and dispatcher figures. Without it the dashboard says "in-process". */
  pipeline?(): Promise<PipelineHealth>;
}
