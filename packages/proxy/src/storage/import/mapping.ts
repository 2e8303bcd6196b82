import type { AuditRow, Outcome } from "../../audit/store.js";
import type { ProjectRow } from "../../projects/store.js";
import type { TokenRow } from "../../tokens/store.js";
import { isSealed, isTokenHash, type Secrets } from "../../security/secrets.js";
import type { SourceRow } from "./original-schema.js";
import {
  UnreadableValue,
  derivedTokenId,
  isUuid,
  readBoolean,
  readCount,
  readOptionalText,
  readText,
  readTimestamp,
  requireTimestamp,
} from "./values.js";

/** Rows as this proxy stores them; a token starts with no usage counts (the original kept none). */
export type ImportedProject = Omit<ProjectRow, "monthly_budget_nanos">;
export type ImportedToken = Omit<TokenRow, "prompt_tokens" | "completion_tokens" | "rate_limit_rpm" | "spend_nanos" | "max_spend_nanos">;
export type ImportedAudit = AuditRow;

/** What one source row becomes: a row for this proxy, or the reason it cannot be carried. */
export type Mapped<T> = { ok: true; row: T; changed?: "sealed" | "hashed" | "derived-id" | "metadata-wrapped" } | { ok: false; id: string; reason: string };

/** The id a report names a row by, even when the row is unreadable. */
function nameOf(row: SourceRow, fallback = "(no id)"): string {
  return typeof row.id === "string" && row.id !== "" ? row.id : fallback;
}

function carry<T>(row: SourceRow, build: () => Mapped<T>, name = nameOf(row)): Mapped<T> {
  try {
    return build();
  } catch (err) {
    if (err instanceof UnreadableValue) return { ok: false, id: name, reason: err.message };
    throw err;
  }
}

/**
 * A project keeps its id, name, state and times. Its upstream key is carried as stored: an
 * `enc:v1:` value opens under the same ENCRYPTION_KEY (the caller checked it does); a plaintext
 * key is sealed when a key is configured, as this proxy would have stored it.
 */
export function mapProject(row: SourceRow, secrets: Secrets): Mapped<ImportedProject> {
  return carry(row, () => {
    const apiKey = readText(row.api_key, "api_key");
    const sealed = secrets.enabled && apiKey !== "" && !isSealed(apiKey);
    const project: ImportedProject = {
      id: readText(row.id, "id"),
      name: readText(row.name, "name"),
      api_key: sealed ? secrets.sealApiKey(apiKey) : apiKey,
      is_active: readBoolean(row.is_active, "is_active"),
      deactivated_at: readTimestamp(row.deactivated_at, "deactivated_at"),
      created_at: requireTimestamp(row.created_at, "created_at"),
      updated_at: readTimestamp(row.updated_at, "updated_at") ?? requireTimestamp(row.created_at, "created_at"),
    };
    return { ok: true, row: project, ...(sealed ? { changed: "sealed" as const } : {}) };
  });
}

export const BCRYPT_TOKEN =
  "bcrypt-hashed token (hash:v1:): a bcrypt hash cannot be looked up by the token a client presents, so it could never authenticate here; issue the client a new token";

/**
 * A token keeps its id, project, expiry, state, counts and quota. The stored value becomes this
 * proxy's lookup key for the same secret: a SHA-256 hex value stays as it is (the original's
 * lookup form under ENCRYPTION_KEY, and this proxy's), a plaintext secret is hashed when a key
 * is configured. So the secret a client holds keeps working unchanged.
 */
export function mapToken(row: SourceRow, secrets: Secrets): Mapped<ImportedToken> {
  const stored = typeof row.token === "string" ? row.token : "";
  const name = typeof row.id === "string" && row.id !== "" ? row.id : stored ? derivedTokenId(stored) : "(no id)";
  return carry(
    row,
    () => {
      if (stored === "") return { ok: false, id: name, reason: "the token value is empty" };
      if (stored.startsWith("hash:v1:")) return { ok: false, id: name, reason: BCRYPT_TOKEN };
      const hashed = isTokenHash(stored);
      if (hashed && !secrets.enabled) return { ok: false, id: name, reason: "a SHA-256 token can only be looked up with ENCRYPTION_KEY set" };
      const hasId = typeof row.id === "string" && row.id !== "";
      if (hasId && !isUuid(name)) return { ok: false, id: name, reason: "its id is not a UUID" };
      const maxRequests = row.max_requests === null || row.max_requests === undefined ? 0 : readCount(row.max_requests, "max_requests");
      const token: ImportedToken = {
        id: name.toLowerCase(),
        token: hashed ? stored : secrets.tokenLookupKey(stored),
        project_id: readText(row.project_id, "project_id"),
        expires_at: readTimestamp(row.expires_at, "expires_at"),
        is_active: readBoolean(row.is_active, "is_active"),
        deactivated_at: readTimestamp(row.deactivated_at, "deactivated_at"),
        request_count: readCount(row.request_count, "request_count"),
        // The original treats 0 (and NULL) as unlimited; this proxy stores only NULL for that.
        max_requests: maxRequests > 0 ? maxRequests : null,
        created_at: requireTimestamp(row.created_at, "created_at"),
        last_used_at: readTimestamp(row.last_used_at, "last_used_at"),
        cache_hit_count: readCount(row.cache_hit_count, "cache_hit_count"),
      };
      const changed = !hasId ? "derived-id" : !hashed && secrets.enabled ? "hashed" : undefined;
      return { ok: true, row: token, ...(changed ? { changed } : {}) };
    },
    name,
  );
}

const OUTCOMES: readonly string[] = ["success", "failure", "denied", "error"];

/** `metadata` is JSON text in the original; anything else is kept, as text, under `original_metadata`. */
function readMetadata(value: unknown): { metadata: Record<string, unknown> | null; wrapped: boolean } {
  if (value === null || value === undefined || value === "") return { metadata: null, wrapped: false };
  const text = typeof value === "string" ? value : String(value as string);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null) return { metadata: null, wrapped: false };
    if (typeof parsed === "object" && !Array.isArray(parsed)) return { metadata: parsed as Record<string, unknown>, wrapped: false };
  } catch {
    // not JSON: kept as text below
  }
  return { metadata: { original_metadata: text }, wrapped: true };
}

/** An audit event is carried column for column (the original's table and this proxy's are the same). */
export function mapAudit(row: SourceRow): Mapped<ImportedAudit> {
  return carry(row, () => {
    const outcome = readText(row.outcome, "outcome");
    if (!OUTCOMES.includes(outcome)) return { ok: false, id: nameOf(row), reason: `outcome ${JSON.stringify(outcome)} is not one of ${OUTCOMES.join(", ")}` };
    const { metadata, wrapped } = readMetadata(row.metadata);
    const text = (c: keyof ImportedAudit) => readOptionalText(row[c], c);
    const event: ImportedAudit = {
      id: readText(row.id, "id"),
      timestamp: requireTimestamp(row.timestamp, "timestamp"),
      action: readText(row.action, "action"),
      actor: readText(row.actor, "actor"),
      project_id: text("project_id"),
      request_id: text("request_id"),
      correlation_id: text("correlation_id"),
      client_ip: text("client_ip"),
      method: text("method"),
      path: text("path"),
      user_agent: text("user_agent"),
      outcome: outcome as Outcome,
      reason: text("reason"),
      token_id: text("token_id"),
      metadata,
    };
    return { ok: true, row: event, ...(wrapped ? { changed: "metadata-wrapped" as const } : {}) };
  });
}
