import { z } from "zod";
import { badRequest } from "../errors.js";
import type { Tx } from "../storage/db.js";

/** A session's id as stored and sent between admin UI and API: SHA-256 of the cookie's sid, base64url. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "invalid session id");

export const startSessionInput = z.object({
  id: sessionIdSchema,
  expires_at: z.iso.datetime({ offset: true, message: "expires_at must be an RFC3339 time" }),
});

const checkedId = (id: string) => {
  if (!sessionIdSchema.safeParse(id).success) throw badRequest("invalid session id");
  return id;
};

/**
 * Records a signed-in session until it expires (and drops expired ones); at most 30 days ahead,
 * as the admin UI's longest "remember me".
 */
export async function startAdminSession(q: Tx, id: string, expiresAt: Date): Promise<void> {
  const latest = Date.now() + 31 * 86_400_000;
  if (!(expiresAt.getTime() > Date.now() && expiresAt.getTime() <= latest)) throw badRequest("expires_at must be within the next 30 days");
  await q`DELETE FROM admin_sessions WHERE expires_at < now()`;
  await q`
    INSERT INTO admin_sessions (id, expires_at) VALUES (${checkedId(id)}, ${expiresAt})
    ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
  `;
}

/** True while the session was started and neither ended nor expired. */
export async function adminSessionActive(q: Tx, id: string): Promise<boolean> {
  const rows = await q`SELECT 1 FROM admin_sessions WHERE id = ${checkedId(id)} AND expires_at > now()`;
  return rows.length > 0;
}

/** Ends a session everywhere: every instance checks the table on each signed-in request. */
export async function endAdminSession(q: Tx, id: string): Promise<void> {
  await q`DELETE FROM admin_sessions WHERE id = ${checkedId(id)}`;
}
