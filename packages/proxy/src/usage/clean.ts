import postgres from "postgres";

/** Longest model name kept in the rollups; real ones are far shorter. */
export const MAX_MODEL_LENGTH = 200;
/** Largest token count believed for one request (int4 max); upstreams report far less. */
export const MAX_COUNT = 2_147_483_647;

/** A model name the database stores as given: no control characters (NUL is refused), bounded length. */
export function cleanModel(model: unknown): string {
  const text = typeof model === "string" ? model : "";
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").slice(0, MAX_MODEL_LENGTH).replace(/[\ud800-\udbff]$/, "");
}

/** A per-request count as a whole number in 0 … MAX_COUNT; NaN, infinities and negatives count 0. */
export function cleanCount(n: unknown): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), MAX_COUNT) : 0;
}

/**
 * True when the database refused a statement for the values it carried (SQLSTATE classes 22
 * data exception, 23 integrity constraint, 54 program limit) rather than being unreachable or
 * busy: retrying such a row can never succeed.
 */
export function isRowError(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return /^(22|23|54)/.test(err.code);
  return (err as { code?: unknown } | null)?.code === "UNDEFINED_VALUE";
}
