import fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "@llm-proxy/config";
import type { TokenUsage } from "@llm-proxy/events/usage";
import builtIn from "./prices.json" with { type: "json" };

const usdPerMillion = (field: string) =>
  z.number({ message: `${field} must be a number (USD per 1M tokens)` }).nonnegative(`${field} must be >= 0`).max(100_000, `${field} must be at most 100000`);

const entrySchema = z.strictObject({
  input: usdPerMillion("input"),
  output: usdPerMillion("output"),
  cached_input: usdPerMillion("cached_input").optional(),
});

/** A PRICING_PATH file (and the built-in table): prices in USD per 1M tokens by model name or glob. */
const fileSchema = z.strictObject({
  source: z.string().optional(),
  taken_at: z.string().optional(),
  models: z.record(z.string().min(1, "a model name cannot be empty").max(200), entrySchema, { message: "models must be a mapping of model name to prices" }),
});

type Entry = z.infer<typeof entrySchema>;

/** A model's price in pico-dollars per token (USD per 1M tokens × 10^6): integers, so sums are exact. */
export interface Price {
  /** The table's key that priced it: the model name, or the glob that matched. */
  key: string;
  input: number;
  cachedInput: number;
  output: number;
}

const picos = (usdPerMillion: number) => Math.round(usdPerMillion * 1_000_000);
const LOOKUP_CACHE_MAX = 10_000;

/**
 * The price table: the built-in one (see `source`, `takenAt`) with a PRICING_PATH file's entries
 * over it. An exact model name wins over a glob, a longer glob over a shorter.
 */
export class Pricing {
  private readonly exact = new Map<string, Price>();
  private readonly globs: { pattern: RegExp; price: Price }[] = [];
  private readonly found = new Map<string, Price | null>();

  constructor(
    models: Record<string, Entry>,
    readonly source: string,
    readonly takenAt: string,
  ) {
    const globs: [string, Price][] = [];
    for (const [key, e] of Object.entries(models)) {
      const price = { key, input: picos(e.input), cachedInput: picos(e.cached_input ?? e.input), output: picos(e.output) };
      if (key.includes("*")) globs.push([key, price]);
      else this.exact.set(key, price);
    }
    globs.sort(([a], [b]) => b.length - a.length);
    for (const [key, price] of globs) this.globs.push({ pattern: globPattern(key), price });
  }

  /** The price of `model`, or undefined when the table has none. */
  priceOf(model: string): Price | undefined {
    const known = this.found.get(model);
    if (known !== undefined) return known ?? undefined;
    const price = this.exact.get(model) ?? this.globs.find((g) => g.pattern.test(model))?.price;
    // Model names come from clients: the memo is bounded, a flood of made-up names only recomputes.
    if (this.found.size < LOOKUP_CACHE_MAX) this.found.set(model, price ?? null);
    return price;
  }
}

function globPattern(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/**
 * A request's cost in nano-dollars (whole: the stored unit) for the usage reported or counted:
 * cached input tokens at the cached-input price, the rest of the input at the input price.
 */
export function costNanos(usage: TokenUsage, price: Price): number {
  const cached = Math.min(usage.cached ?? 0, usage.prompt);
  return Math.round(((usage.prompt - cached) * price.input + cached * price.cachedInput + usage.completion * price.output) / 1000);
}

/** Nano-dollars as the JSON number the API shows (USD). */
export const usd = (nanos: number): number => nanos / 1e9;

/** USD as given to the API, in nano-dollars. */
export const nanosOf = (usd: number): number => Math.round(usd * 1e9);

/** Most a budget may be: nano-dollars stay exact JavaScript integers up to 2^53 (~9 million USD). */
const MAX_BUDGET_USD = 9_000_000;

/** A budget field of the API: USD, a JSON number ≥ 0, or null for none. */
export const budgetUsd = (field: string) =>
  z
    .number({ message: `${field} must be a number (USD) or null` })
    .nonnegative(`${field} must be >= 0`)
    .max(MAX_BUDGET_USD, `${field} must be at most ${MAX_BUDGET_USD}`)
    // Stored in whole nano-dollars: a smaller amount would round to 0, which stops all spend.
    .refine((v) => v === 0 || v >= 1e-9, `${field} must be 0 or at least 0.000000001 (one nano-dollar)`)
    .nullable();

/** A budget as stored (nano-dollars), or null for none. */
export const budgetNanos = (usdValue: number | null | undefined): number | null => (usdValue === undefined || usdValue === null ? null : nanosOf(usdValue));

/** Parses a PRICING_PATH file (YAML or JSON); any problem throws a ConfigError naming the field. */
export function parsePricing(text: string, source: string): Record<string, Entry> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`PRICING_PATH: ${source}: not valid YAML or JSON: ${(err as Error).message.split("\n")[0] ?? ""}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`PRICING_PATH: ${source}: ${issue?.path.join(".") || "file"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data.models;
}

/** The built-in table, with the entries of the file at `path` (when given) added or replacing. */
export function loadPricing(path: string | undefined): Pricing {
  const base = fileSchema.parse(builtIn);
  if (!path) return new Pricing(base.models, base.source ?? "", base.taken_at ?? "");
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`PRICING_PATH: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  return new Pricing({ ...base.models, ...parsePricing(text, path) }, `${base.source ?? ""}; overrides from ${path}`, base.taken_at ?? "");
}
