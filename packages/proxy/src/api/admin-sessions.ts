import { z } from "zod";
import { adminSessionActive, endAdminSession, startAdminSession, startSessionInput } from "../admin/session-store.js";
import { writeAudit } from "../audit/record.js";
import { notFound, validate } from "../errors.js";
import type { Route } from "./routes.js";

/**
 * The admin UI's server-side sessions, for the standalone `admin` command (the embedded admin UI
 * calls the same functions in-process): a session ended here is refused by every instance.
 */
export const adminSessionRoutes: Route[] = [
  { method: "post", path: "/manage/admin/sessions", summary: "Admin UI: record a signed-in session (id: SHA-256 of its sid)", body: startSessionInput, status: 204,
    handle: async (d, _who, r) => {
      const input = validate(startSessionInput, await r.body());
      await startAdminSession(d.sql, input.id, new Date(input.expires_at));
      return { status: 204 };
    } },
  { method: "get", path: "/manage/admin/sessions/{id}", summary: "Admin UI: 200 while the session is active, 404 once ended or expired",
    response: z.object({ active: z.literal(true) }), status: 200, idRequired: "invalid session id",
    handle: async (d, _who, r) => {
      if (!(await adminSessionActive(d.sql, r.id))) throw notFound("session not found or ended");
      return { status: 200, body: { active: true } };
    } },
  { method: "delete", path: "/manage/admin/sessions/{id}", summary: "Admin UI: end a session on every instance (sign-out)", status: 204, idRequired: "invalid session id",
    handle: async (d, who, r) => {
      await endAdminSession(d.sql, r.id);
      await writeAudit(d.sql, who, { action: "admin.logout", outcome: "success", note: { details: {} } });
      return { status: 204 };
    } },
];
