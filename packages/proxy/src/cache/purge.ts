import { z } from "zod";
import { audited, type Actor } from "../audit/record.js";
import type { Domain } from "../domain.js";
import { badRequest, unavailable, validate } from "../errors.js";

const path = (field: string) =>
  z
    .string({ message: `${field} must be a string` })
    .max(2048)
    .refine((v) => v.startsWith("/"), `${field} must be a path such as /v1/models`);

export const purgeInput = z.strictObject({
  method: z.string().regex(/^[A-Za-z]{1,16}$/, "method must be an HTTP method").optional(),
  url: path("url").optional(),
  prefix: path("prefix").optional(),
  project_id: z.string().max(200).optional(),
  all: z.boolean({ message: "all must be a boolean" }).optional(),
});

/** Deletes cached responses by exact URL (optionally one method), URL prefix, project, or all. */
export function purgeCache(d: Domain, who: Actor, input: unknown): Promise<{ deleted: number }> {
  return audited(d.sql, who, "cache.purge", async (_tx, note) => {
    if (!d.cache) throw badRequest("caching is disabled");
    const body = validate(purgeInput, input);
    if (!body.all && !body.url && !body.prefix && !body.project_id) throw badRequest("one of url, prefix, project_id or all is required");
    if (body.project_id) note.projectId = body.project_id;
    const purgeType = body.all ? "all" : body.url ? "exact" : body.prefix ? "prefix" : "project";
    Object.assign(note.details, { purge_type: purgeType, method: body.method, url: body.url, prefix: body.prefix });
    const filter = { method: body.method, url: body.url, prefix: body.prefix, projectId: body.project_id, all: body.all };
    // Only a backend can fail here (the port's contract): the store is unreachable, not the request wrong.
    const deleted = await d.cache.purge(filter).catch(() => {
      throw unavailable("the response cache (Redis) is unavailable: the purge did not complete; try again shortly");
    });
    note.details.deleted = deleted;
    return { deleted };
  });
}
