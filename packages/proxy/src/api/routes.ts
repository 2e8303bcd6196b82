import type { Context } from "hono";
import { z } from "zod";
import { writeAudit, type Actor } from "../audit/record.js";
import { auditQuery, getAuditEvent, listAuditEvents } from "../audit/verbs.js";
import type { Domain } from "../domain.js";
import { AppError, badRequest, isDatabaseOutage, nulPath, nulRefused, unavailable, validate } from "../errors.js";
import { DATABASE_DOWN, requireDatabase } from "../storage/db.js";
import {
  createProject,
  createProjectInput,
  deleteProject,
  getProject,
  listProjects,
  revokeProjectTokens,
  updateProject,
  updateProjectInput,
} from "../projects/verbs.js";
import { createToken, createTokenInput, getToken, listTokens, revokeToken, updateToken, updateTokenInput } from "../tokens/verbs.js";
import type { ApiEnv } from "./context.js";
import { getUsage, usageQuery } from "../usage/verbs.js";
import { purgeCache, purgeInput } from "../cache/purge.js";
import { auditEventSchema, auditPageSchema, bulkRevokeSchema, createdTokenSchema, projectSchema, tokenListQuery, tokenSchema, usageSchema } from "./schemas.js";

type Method = "get" | "post" | "patch" | "delete";

/** What a route hands back: a JSON body with a status, or no content. */
export type RouteResult = { status: 200 | 201; body: unknown } | { status: 204 };

export interface Route {
  method: Method;
  /** OpenAPI-style path; `{id}` segments become Hono `:id` params. */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  status: 200 | 201 | 204;
  /** The original's 400 when `{id}` is empty (`GET /manage/projects/`): its message. */
  idRequired?: string;
  /** Documented but always refused (405): left out of the route's `Allow`. */
  refused?: true;
  handle(d: Domain, who: Actor, req: { id: string; query: Record<string, string>; body: () => Promise<unknown> }): Promise<RouteResult>;
}

const ok = (body: unknown) => ({ status: 200 as const, body });



/**
 * What every route shares: an id or query holding NUL (PostgreSQL text cannot hold it), or a
 * query its route's schema refuses, is a 400 audited as `management.invalid_input` before any
 * verb sees it (bodies get the same checks in `validate`, inside the verb's own audit); a database outage is
 * a 503, not a 500 or a request that hangs until the database is back.
 */
export function guarded(route: Route): Route {
  return {
    ...route,
    async handle(d, who, req) {
      // First, so that neither the audit row below nor the verb queues behind an outage.
      await requireDatabase(d.sql);
      // An id or query holding NUL, or a query its schema refuses (the documented query is the enforced one).
      const nul = nulPath(req.id, "id") ?? nulPath(req.query);
      const refused =
        nul !== undefined ? nulRefused(nul)
        : route.idRequired !== undefined && req.id === "" ? badRequest(route.idRequired)
        : route.query ? queryError(route.query, req.query) : undefined;
      if (refused) {
        // The path may carry the NUL too (a percent-decoded id): the audit row keeps it encoded.
        const actor = { ...who, path: who.path?.replaceAll("\0", "%00") };
        const note = { details: { route: route.path } };
        await writeAudit(d.sql, actor, { action: "management.invalid_input", outcome: "failure", reason: refused.message, note }).catch(() => {});
        throw refused;
      }
      try {
        return await route.handle(d, who, req);
      } catch (err) {
        if (isDatabaseOutage(err)) throw unavailable(DATABASE_DOWN);
        throw err;
      }
    },
  };
}

function queryError(schema: z.ZodType, query: Record<string, string>): AppError | undefined {
  try {
    validate(schema, query);
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

/** The management API, as data: the Hono app and the OpenAPI document are both built from it. */
export const manageRoutes: Route[] = [
  { method: "get", path: "/manage/projects", summary: "List projects (API keys obfuscated)", response: z.array(projectSchema), status: 200,
    handle: async (d, who) => ok(await listProjects(d, who)) },
  { method: "post", path: "/manage/projects", summary: "Create a project", body: createProjectInput, response: projectSchema, status: 201,
    handle: async (d, who, r) => ({ status: 201, body: await createProject(d, who, await r.body()) }) },
  { method: "get", path: "/manage/projects/{id}", summary: "Get a project", response: projectSchema, status: 200, idRequired: "invalid project id",
    handle: async (d, who, r) => ok(await getProject(d, who, r.id)) },
  { method: "patch", path: "/manage/projects/{id}", summary: "Update a project; is_active=false with revoke_tokens=true also revokes its tokens",
    body: updateProjectInput, response: projectSchema, status: 200, idRequired: "invalid project id",
    handle: async (d, who, r) => ok((await updateProject(d, who, r.id, await r.body())).project) },
  { method: "delete", path: "/manage/projects/{id}", summary: "Always 405: projects are kept for their audit trail", status: 204, refused: true,
    handle: async (d, who, r) => deleteProject(d, who, r.id) },
  { method: "post", path: "/manage/projects/{id}/tokens/revoke", summary: "Revoke every active token of a project", response: bulkRevokeSchema,
    status: 200, idRequired: "invalid path", handle: async (d, who, r) => ok(await revokeProjectTokens(d, who, r.id)) },
  { method: "get", path: "/manage/tokens", summary: "List tokens, newest first (secrets obfuscated); filter with ?project_id= (or ?projectId=)",
    query: tokenListQuery, response: z.array(tokenSchema), status: 200,
    handle: async (d, who, r) => ok(await listTokens(d, who, projectFilter(validate(tokenListQuery, r.query)))) },
  { method: "post", path: "/manage/tokens", summary: "Create a withering token; the secret is returned only here", body: createTokenInput,
    response: createdTokenSchema, status: 200, handle: async (d, who, r) => ok(await createToken(d, who, await r.body())) },
  { method: "get", path: "/manage/tokens/{id}", summary: "Get a token", response: tokenSchema, status: 200, idRequired: "token ID is required",
    handle: async (d, who, r) => ok(await getToken(d, who, r.id)) },
  { method: "patch", path: "/manage/tokens/{id}", summary: "Activate, deactivate or change max_requests (0 = unlimited)",
    body: updateTokenInput, response: tokenSchema, status: 200, idRequired: "token ID is required", handle: async (d, who, r) => ok(await updateToken(d, who, r.id, await r.body())) },
  { method: "delete", path: "/manage/tokens/{id}", summary: "Revoke a token (idempotent)", status: 204, idRequired: "token ID is required",
    handle: async (d, who, r) => (await revokeToken(d, who, r.id), { status: 204 }) },
  { method: "get", path: "/manage/audit", summary: "List audit events, newest first, with filters and pagination", query: auditQuery,
    response: auditPageSchema, status: 200, handle: async (d, who, r) => ok(await listAuditEvents(d, who, r.query)) },
  { method: "get", path: "/manage/audit/{id}", summary: "Get one audit event", response: auditEventSchema, status: 200, idRequired: "audit event ID is required",
    handle: async (d, who, r) => ok(await getAuditEvent(d, who, r.id)) },
  { method: "get", path: "/manage/usage", summary: "Requests, errors, cache hits and prompt/completion tokens per project, model and hour (or day)",
    query: usageQuery, response: usageSchema, status: 200, handle: async (d, who, r) => ok(await getUsage(d, who, r.query)) },
  { method: "post", path: "/manage/cache/purge",
    summary: "Purge cached responses: url (and method; deleted is then true or false), url prefix (url ignored), project_id, or all (deleted: how many)",
    body: purgeInput, response: z.object({ deleted: z.union([z.boolean(), z.number().int()]) }), status: 200, handle: async (d, who, r) => ok(await purgeCache(d, who, await r.body())) },
];

/** `project_id` as audit and usage spell it, or the original's `projectId`; two different ones are a 400. */
function projectFilter(query: z.infer<typeof tokenListQuery>): string | undefined {
  const { project_id: snake, projectId: camel } = query;
  if (snake !== undefined && camel !== undefined && snake !== camel) throw badRequest("project_id and projectId differ; give one");
  return snake ?? camel;
}

/** Reads a JSON body; anything that is not JSON is the original's "invalid request body". */
export async function jsonBody(c: Context<ApiEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw badRequest("invalid request body");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("invalid request body");
  }
}
