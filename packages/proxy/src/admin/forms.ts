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
