import type { z } from "zod";
import { Problems } from "./errors.js";

/** Environment variables as the process (or a test) hands them over. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment with every value trimmed and blank ones dropped: a setting left empty (a stage
 * parameter, `FOO=` in a .env) means its default, in every service alike.
 */
export function cleanEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const v = value?.trim();
    if (v) out[name] = v;
  }
  return out;
}

type Schema = z.ZodObject<Record<string, z.ZodType<unknown, string | undefined>>>;

/**
 * Parses `env` (cleaned) with a schema of one field per variable. On failure every issue is added
 * to `problems`, each naming its variable, and the ConfigError listing all problems is thrown; on
 * success the caller adds its cross-setting checks and calls `problems.throwIfAny()`.
 */
export function readEnv<S extends Schema>(schema: S, env: Env, problems = new Problems()): z.output<S> {
  const parsed = schema.safeParse(cleanEnv(env));
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) problems.add(issue.path.join(".") || "environment", issue.message);
  return problems.fail();
}

/**
 * What the service would say about one variable set to `value`, alone: the message, or undefined
 * when it accepts the value. For tools (`llm-proxy config set`) that check before they store.
 */
export function checkVariable(schema: Schema, name: string, value: string): string | undefined {
  const field = schema.shape[name];
  if (field === undefined) return `${name}: not a setting of this service`;
  const parsed = field.safeParse(value.trim() || undefined);
  return parsed.success ? undefined : `${name}: ${parsed.error.issues.map((i) => i.message).join("; ")}`;
}
