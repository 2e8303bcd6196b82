import type { Args, Option } from "./command.js";
import { UsageError } from "./errors.js";

/** Spend against a budget, as the tables print it: `1.25/10 USD`, or `1.25 USD` without a budget. */
export const spendOf = (spent: number, budget: number | null): string => (budget === null ? `${spent} USD` : `${spent}/${budget} USD`);

/** A budget flag's help. */
export const budgetOption = (what: string): Option => ({ type: "string", help: `${what} in USD (e.g. 25 or 0.5); "none" removes it` });

/** A budget flag: USD ≥ 0, null for "none", undefined when not given. */
export function budgetFlag(args: Args, name: string): number | null | undefined {
  const v = args.string(name);
  if (v === undefined) return undefined;
  if (v === "none") return null;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name}: expected an amount of USD ≥ 0 or "none", got "${v}"`);
  return n;
}
