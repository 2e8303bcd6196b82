import type { z } from "zod";
import type { auditQuery } from "../audit/verbs.js";
import type { purgeInput } from "../cache/purge.js";
import type { createProjectInput, updateProjectInput } from "../projects/verbs.js";
import type { createTokenInput, updateTokenInput } from "../tokens/verbs.js";
import type { usageQuery } from "../usage/verbs.js";
import type { auditEventSchema, auditPageSchema, bulkRevokeSchema, createdTokenSchema, projectSchema, tokenListQuery, tokenSchema, usageSchema } from "./schemas.js";

/**
 * The management API's contract as types, inferred from the schemas the route table validates
 * with and documents (`/manage/openapi.json`). The admin UI's backends and the CLI use these, so
 * a field added to the API reaches them through the type checker. Type-only: importing this
 * module loads nothing.
 */
export type Project = z.infer<typeof projectSchema>;
export type Token = z.infer<typeof tokenSchema>;
export type CreatedToken = z.infer<typeof createdTokenSchema>;
export type BulkRevoke = z.infer<typeof bulkRevokeSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;
export type Usage = z.infer<typeof usageSchema>;

export type ProjectInput = z.input<typeof createProjectInput>;
export type ProjectPatch = z.input<typeof updateProjectInput>;
export type TokenInput = z.input<typeof createTokenInput>;
export type TokenPatch = z.input<typeof updateTokenInput>;
export type PurgeInput = z.input<typeof purgeInput>;

export type TokenListQuery = z.input<typeof tokenListQuery>;
export type AuditQuery = z.input<typeof auditQuery>;
export type UsageQuery = z.input<typeof usageQuery>;
