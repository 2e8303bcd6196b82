import { z } from "zod";
import { audited, type Actor } from "../audit/record.js";
import type { Domain } from "../domain.js";
import { badRequest, unavailable, validate } from "../errors.js";

const path = (field: string) =>
  z
    .string({ message: `${field} must be a string` })
    .max(2048)
    .refine((v) => v.startsWith("/"), `${field} must be a path such as /v1/models`);

export const purgeInput = z.object({
  method: z.string().regex(/^[A-Za-z]{1,16}$/, "method must be an HTTP method").optional(),
  url: z.string({ message: "url must be a string" }).max(2048, "url must be at most 2048 characters").optional(),
  prefix: path("prefix").optional(),
  project_id: z.string().max(200).optional(),
  all: z.boolean({ message: "all must be a boolean" }).optional(),
});

/** The path and query entries are indexed under; an absolute http(s) URL (the original took one) is cut to them. */
function pathAndQuery(url: string): string {
  if (url.startsWith("/")) return url;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed && (parsed.protocol === "http:" || parsed.protocol === "https:")) return parsed.pathname + parsed.search;
  throw badRequest("url must be a path such as /v1/models");
}

/**
 * Deletes cached responses: everything (`all`), a URL prefix, a project's entries, or one URL
 * (optionally one method; the original's exact purge). The original's body always carries
 * `method` and `url`, and its prefix purge ignores both: so does this one. An exact purge answers
 * `deleted` as the original does, true or false; the others with how many entries went.
 */
export function purgeCache(d: Domain, who: Actor, input: unknown): Promise<{ deleted: number | boolean }> {
  return audited(d.sql, who, "cache.purge", async (_tx, note) => {
    if (!d.cache) throw badRequest("caching is disabled");
    const body = validate(purgeInput, input);
    const url = body.all || body.prefix !== undefined || body.url === undefined ? undefined : pathAndQuery(body.url);
    if (!body.all && !url && !body.prefix && !body.project_id) throw badRequest("one of url, prefix, project_id or all is required");
    if (body.project_id) note.projectId = body.project_id;
    const purgeType = body.all ? "all" : url ? "exact" : body.prefix ? "prefix" : "project";
    // `method` narrows an exact purge only: the original's prefix purge ignores it with `url`.
    const filter = { method: url ? body.method : undefined, url, prefix: body.prefix, projectId: body.project_id, all: body.all };
    Object.assign(note.details, { purge_type: purgeType, method: filter.method, url, prefix: body.prefix });
    // Only a backend can fail here (the port's contract): the store is unreachable, not the request wrong.
    const deleted = await d.cache.purge(filter).catch(() => {
      throw unavailable("the response cache (Redis) is unavailable: the purge did not complete; try again shortly");
    });
    note.details.deleted = deleted;
    return { deleted: purgeType === "exact" ? deleted > 0 : deleted };
  });
}
