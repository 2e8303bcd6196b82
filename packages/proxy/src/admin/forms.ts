import { AppError } from "../errors.js";
import type { AdminContext } from "./context.js";

/** The string fields of a submitted form (files are not used by any admin form). */
export async function formOf(c: AdminContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

export const checked = (v: string | undefined) => v === "1" || v === "on" || v === "true";

/** A whole number from a form field, or undefined when blank; NaN when it is not one. */
export function wholeNumber(v: string | undefined): number | undefined {
  const text = (v ?? "").trim();
  if (text === "") return undefined;
  return /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * A USD amount from a form field (`12`, `12.50`, `0.000001`), or undefined when blank. Anything
 * else is a 400 naming the field by its label. At most 9 decimals: budgets are kept in
 * nano-dollars, and a smaller fraction would round to a budget of 0 (no spend at all).
 */
export function usdAmount(v: string | undefined, label: string): number | undefined {
  const text = (v ?? "").trim();
  if (text === "") return undefined;
  if (/^\d{1,15}(\.\d{0,9})?$|^\.\d{1,9}$/.test(text)) return Number(text);
  throw new AppError("invalid_request", `${label} must be an amount in USD of at least 0 (such as 25 or 12.50, at most 9 decimals), or blank.`);
}

/** A USD amount as a form field shows it: plain decimals (never `1e-7`), blank for none. */
export const usdText = (usd: number | null): string => (usd === null ? "" : usd.toFixed(9).replace(/\.?0+$/, ""));
