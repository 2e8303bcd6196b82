import { parseArgs } from "node:util";
import type { Context } from "./context.js";
import { UsageError } from "./errors.js";

export interface Option {
  type: "string" | "boolean";
  short?: string;
  /** Repeatable: the values arrive as a list. */
  multiple?: boolean;
  /** Shown in --help; a `<value>` placeholder is added for string options. */
  help: string;
}

/** One CLI command: its own file under commands/, its own --help, one `run`. */
export interface Command {
  /** `group:verb` (typed as `group verb` or `group:verb`) or a single word. */
  name: string;
  summary: string;
  /** Positional arguments for the usage line, e.g. `<id>`. */
  args?: string;
  options: Record<string, Option>;
  /** More lines for --help: examples, notes. */
  details?: string[];
  /** Resolves to the exit code (0 when nothing is returned). */
  run(args: Args, ctx: Context): Promise<number | void>;
}

/** Parsed flags and positionals with the checks every command needs. */
export class Args {
  constructor(
    readonly values: Record<string, string | boolean | string[] | undefined>,
    readonly positionals: string[],
  ) {}

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === "string" ? v : undefined;
  }

  list(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
    return v;
  }

  int(name: string, opts: { min: number; max?: number }): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (v.trim() === "" || !Number.isInteger(n) || n < opts.min || n > max) {
      throw new UsageError(`--${name}: expected a whole number from ${opts.min}${opts.max !== undefined ? ` to ${opts.max}` : ""}, got "${v}"`);
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v === "true" || v === "false") return v === "true";
    throw new UsageError(`--${name}: expected true or false, got "${v}"`);
  }

  positional(index: number, label: string): string {
    const v = this.positionals[index];
    if (v === undefined || v === "") throw new UsageError(`missing ${label}`);
    return v;
  }

  /** Refuses positionals the command does not take (usually a typo such as a missing `--`). */
  noMorePositionals(count: number): void {
    const extra = this.positionals[count];
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  }
}

const HELP: Option = { type: "boolean", short: "h", help: "show this help" };

/** Parses argv for a command; unknown flags and missing values are usage errors. */
export function parseCommandArgs(command: Command, argv: string[]): { help: boolean; args: Args } {
  const options = { ...command.options, help: HELP };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { help: values.help === true, args: new Args(values as Record<string, string | boolean | string[] | undefined>, positionals) };
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split("\n")[0] ?? "invalid arguments"} (see llm-proxy ${command.name.replace(":", " ")} --help)`);
  }
}

export function helpText(command: Command): string {
  const rows = Object.entries({ ...command.options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? " <value>" : ""}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `usage: llm-proxy ${command.name.replace(":", " ")}${command.args ? ` ${command.args}` : ""} [options]`,
    "",
    command.summary,
    "",
    "options:",
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`),
    ...(command.details ? ["", ...command.details] : []),
    "",
  ].join("\n");
}
