import { ConfigError } from "@llm-proxy/config";

/** A source that is not the Go llm-proxy's database, or cannot be read; the message says why. */
export class ImportSourceError extends ConfigError {
  override name = "ImportSourceError";
}

/** Table name → its column names, as the source reports them. */
export type SourceColumns = Map<string, Set<string>>;

/**
 * Which of the original's schema states a source is in. The final states (its SQLite
 * `scripts/schema.sql`, its PostgreSQL goose migrations 00001–00006) are the contract; earlier
 * ones differ only by the columns below, each added by one migration.
 */
export interface OriginalLayout {
  /** `openai_api_key` before PostgreSQL migration 00005 (and in SQLite files of that time). */
  apiKeyColumn: "api_key" | "openai_api_key";
  /** Tokens had no `id` before PostgreSQL migration 00004: ids are then derived from the token. */
  tokenIds: boolean;
  /** `deactivated_at` on projects and tokens (00002). */
  deactivation: boolean;
  /** `tokens.cache_hit_count` (00003). */
  cacheHits: boolean;
  /** Whether the source has an `audit_events` table at all. */
  audit: boolean;
}

const PROJECT_COLUMNS = ["id", "name", "is_active", "created_at", "updated_at"];
const TOKEN_COLUMNS = ["token", "project_id", "expires_at", "is_active", "request_count", "max_requests", "created_at", "last_used_at"];
const AUDIT_COLUMNS = ["id", "timestamp", "action", "actor", "project_id", "request_id", "correlation_id", "client_ip", "method", "path", "user_agent", "outcome", "reason", "token_id", "metadata"];

function missing(columns: SourceColumns, table: string, wanted: string[]): string[] {
  const have = columns.get(table) ?? new Set<string>();
  return wanted.filter((c) => !have.has(c));
}

/**
 * Recognises the original's schema in any of its states, or refuses the source with a message
 * naming what is missing. This proxy's own database (its `schema_migrations` table and token
 * columns the original never had) is refused too: there is nothing to import from it.
 */
export function recogniseOriginal(columns: SourceColumns, where: string): OriginalLayout {
  const tokens = columns.get("tokens");
  if (columns.has("schema_migrations") && tokens?.has("prompt_tokens")) {
    throw new ImportSourceError(`${where} is already an llm-proxy (TypeScript) database, not the Go llm-proxy's: there is nothing to import from it`);
  }
  const projects = columns.get("projects");
  if (!projects || !tokens) {
    const absent = ["projects", "tokens"].filter((t) => !columns.has(t)).join(" and ");
    throw new ImportSourceError(`${where} does not hold the Go llm-proxy's schema: it has no ${absent} table`);
  }
  const apiKeyColumn = projects.has("api_key") ? "api_key" : projects.has("openai_api_key") ? "openai_api_key" : undefined;
  const gaps = [
    ...missing(columns, "projects", PROJECT_COLUMNS).map((c) => `projects.${c}`),
    ...(apiKeyColumn ? [] : ["projects.api_key"]),
    ...missing(columns, "tokens", TOKEN_COLUMNS).map((c) => `tokens.${c}`),
    ...(columns.has("audit_events") ? missing(columns, "audit_events", AUDIT_COLUMNS).map((c) => `audit_events.${c}`) : []),
  ];
  if (gaps.length > 0 || !apiKeyColumn) {
    throw new ImportSourceError(`${where} does not hold the Go llm-proxy's schema: missing ${gaps.join(", ")}`);
  }
  return {
    apiKeyColumn,
    tokenIds: tokens.has("id"),
    deactivation: projects.has("deactivated_at") && tokens.has("deactivated_at"),
    cacheHits: tokens.has("cache_hit_count"),
    audit: columns.has("audit_events"),
  };
}

/** One sentence on the schema state found, for the report. */
export function describeLayout(l: OriginalLayout): string {
  const older = [
    l.apiKeyColumn === "openai_api_key" ? "projects.openai_api_key" : "",
    l.tokenIds ? "" : "tokens without ids",
    l.deactivation ? "" : "no deactivated_at",
    l.cacheHits ? "" : "no cache_hit_count",
    l.audit ? "" : "no audit_events",
  ].filter(Boolean);
  return older.length === 0 ? "final schema" : `earlier schema (${older.join(", ")})`;
}

/**
 * The three SELECTs that read a source in any schema state into the same row shape. `ts` and
 * `text` wrap a column so that timestamps and ids come back as text in both engines: the
 * original writes UTC without a zone, which only the importer may interpret.
 */
export function originalSelects(l: OriginalLayout, ts: (col: string) => string, text: (col: string) => string) {
  const opt = (present: boolean, expr: string, as: string) => (present ? `${expr} AS ${as}` : `NULL AS ${as}`);
  return {
    projects: `SELECT ${text("id")} AS id, name, ${l.apiKeyColumn} AS api_key, is_active, ${opt(l.deactivation, ts("deactivated_at"), "deactivated_at")},
      ${ts("created_at")} AS created_at, ${ts("updated_at")} AS updated_at FROM projects ORDER BY created_at, id`,
    tokens: `SELECT ${opt(l.tokenIds, text("id"), "id")}, token, project_id, ${ts("expires_at")} AS expires_at, is_active,
      ${opt(l.deactivation, ts("deactivated_at"), "deactivated_at")}, request_count, max_requests, ${ts("created_at")} AS created_at,
      ${ts("last_used_at")} AS last_used_at, ${opt(l.cacheHits, "cache_hit_count", "cache_hit_count")} FROM tokens ORDER BY created_at, token`,
    audit: l.audit
      ? `SELECT id, ${ts('"timestamp"')} AS "timestamp", action, actor, project_id, request_id, correlation_id, client_ip, method, path,
      user_agent, outcome, reason, token_id, metadata FROM audit_events ORDER BY "timestamp", id`
      : undefined,
  };
}

/** Every row as read from a source: column name → value as its driver returns it. */
export type SourceRow = Record<string, unknown>;

/** What a source reader hands the importer. */
export interface OriginalData {
  kind: "sqlite" | "postgres";
  /** The file path, or the URL without its password. */
  location: string;
  /** The schema state, and for PostgreSQL the goose version. */
  schema: string;
  layout: OriginalLayout;
  projects: SourceRow[];
  tokens: SourceRow[];
  audit: SourceRow[];
}
