import type { Actor } from "../../audit/record.js";
import { writeAudit } from "../../audit/record.js";
import { getAuditEvent, listAuditEvents } from "../../audit/verbs.js";
import type { Domain } from "../../domain.js";
import { AppError } from "../../errors.js";
import { createProject, getProject, listProjects, revokeProjectTokens, updateProject } from "../../projects/verbs.js";
import { safeEqual } from "../../security/secrets.js";
import { createToken, getToken, listTokens, revokeToken, updateToken } from "../../tokens/verbs.js";
import { requireDatabase } from "../../storage/db.js";
import { getUsage } from "../../usage/verbs.js";
import { adminSessionActive, endAdminSession, startAdminSession } from "../session-store.js";
import type { AdminBackend, BackendHealth, BrowserInfo, CallContext, PipelineHealth } from "./port.js";

export interface InProcessOptions {
  /** The API listener's dependency checks, reused for the dashboard's backend status. */
  health?: () => Promise<BackendHealth>;
  pipeline?: () => Promise<PipelineHealth>;
}

/** The audit actor for the admin UI: which browser did it, and that it came through the UI. */
function actorOf(browser: BrowserInfo): Actor {
  return { actor: "admin_ui", origin: "admin-ui", ...browser };
}

/**
 * Calls the domain verbs directly (embedded and single-process deployments). Every call checks
 * the session's token against the current management token, so rotating it signs everyone out.
 */
export function inProcessBackend(d: Domain, managementToken: string, opts: InProcessOptions = {}): AdminBackend {
  const who = (ctx: CallContext): Actor => {
    if (!safeEqual(ctx.token, managementToken)) throw new AppError("unauthorized", "invalid management token");
    return actorOf(ctx.browser);
  };
  return {
    async login(token, browser) {
      const ok = token !== "" && safeEqual(token, managementToken);
      await writeAudit(d.sql, actorOf(browser), {
        action: "admin.login",
        outcome: ok ? "success" : "denied",
        reason: ok ? undefined : "invalid management token",
        note: { details: {} },
      }).catch(() => {});
      return ok;
    },
    startSession: async (ctx, id, expiresAt) => void (who(ctx), await startAdminSession(d.sql, id, expiresAt)),
    // Asked first on every signed-in page: an outage is a prompt 503, not a page that hangs.
    sessionActive: async (ctx, id) => safeEqual(ctx.token, managementToken) && (await requireDatabase(d.sql), await adminSessionActive(d.sql, id)),
    async logout(ctx, id) {
      await endAdminSession(d.sql, id);
      await writeAudit(d.sql, actorOf(ctx.browser), { action: "admin.logout", outcome: "success", note: { details: {} } }).catch(() => {});
    },
    listProjects: (ctx) => listProjects(d, who(ctx)),
    getProject: (ctx, id) => getProject(d, who(ctx), id),
    createProject: (ctx, input) => createProject(d, who(ctx), input),
    updateProject: async (ctx, id, patch) => (await updateProject(d, who(ctx), id, patch)).project,
    revokeProjectTokens: (ctx, id) => revokeProjectTokens(d, who(ctx), id),
    listTokens: (ctx, projectId) => listTokens(d, who(ctx), projectId),
    getToken: (ctx, id) => getToken(d, who(ctx), id),
    createToken: (ctx, input) => createToken(d, who(ctx), input),
    updateToken: (ctx, id, patch) => updateToken(d, who(ctx), id, patch),
    revokeToken: (ctx, id) => revokeToken(d, who(ctx), id),
    listAudit: (ctx, query) => listAuditEvents(d, who(ctx), query),
    getAudit: (ctx, id) => getAuditEvent(d, who(ctx), id),
    getUsage: (ctx, query) => getUsage(d, who(ctx), query),
    async health() {
      if (opts.health) return opts.health();
      await d.sql`select 1`;
      return { status: "ok" };
    },
    ...(opts.pipeline ? { pipeline: opts.pipeline } : {}),
  };
}
