import postgres from "postgres";
import { MAX_COUNT } from "@llm-proxy/events/usage";
import { cleanLabel } from "./label.js";

export { MAX_COUNT };

/** Longest model name kept in the rollups; real ones are far shorter. */
export const MAX_MODEL_LENGTH = 200;

/** A model name as the rollups store it: `cleanLabel`'s one rule, "" when nothing is left. */
export function cleanModel(model: unknown): string {
  return cleanLabel(model, MAX_MODEL_LENGTH) ?? "";
}

/** A per-request count as a whole number in 0 … max; NaN, infinities and negatives count 0. */
export function cleanCount(n: unknown, max = MAX_COUNT): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), max) : 0;
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
