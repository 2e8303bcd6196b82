import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "./errors.js";
import { FORMS, parseBoolean } from "./values.js";

/**
 * `.env` text as the Go original's godotenv and `node --env-file` read it: `KEY=value` lines, an
 * optional `export ` prefix, `#` comments (a whole line, or after a space in an unquoted value),
 * 'single quotes' taken literally, "double quotes" with \n, \t, \" and \\ escapes. Later lines win.
 * Lines that are not assignments are skipped.
 * The one parser for it: the proxy, the dispatcher and the CLI start through loadDotenv.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    out[m[1]] = dotenvValue(m[2]);
  }
  return out;
}

function dotenvValue(raw: string): string {
  const single = /^'([^']*)'/.exec(raw);
  if (single) return single[1] ?? "";
  const double = /^"((?:[^"\\]|\\.)*)"/.exec(raw);
  if (double) return (double[1] ?? "").replace(/\\(.)/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c);
  return raw.replace(/(^|\s+)#.*$/, "").trim();
}

/** The settings a service starts with, and the `.env` file they were read from (if any). */
export type StartEnv = { env: Record<string, string | undefined>; file: string | undefined };

/**
 * The process environment over a `.env` file, as the Go original starts: `./.env` in `cwd`, or
 * the file `ENV` names (relative to `cwd`). A variable the process environment sets, even blank,
 * wins over the file (godotenv's rule). A missing `./.env` is no error; a missing file that ENV
 * names is. `LLM_PROXY_DOTENV=false` reads no file at all: tests and supervisors that hand over
 * the whole environment set it, so a developer's `.env` never leaks into them.
 */
export function loadDotenv(processEnv: Readonly<Record<string, string | undefined>>, cwd: string): StartEnv {
  const own = Object.fromEntries(Object.entries(processEnv).filter(([, v]) => v !== undefined));
  const switchText = processEnv.LLM_PROXY_DOTENV?.trim();
  if (switchText) {
    const on = parseBoolean(switchText);
    if (on === undefined) throw new ConfigError(`LLM_PROXY_DOTENV: expected ${FORMS.boolean}, got "${switchText}"`);
    if (!on) return { env: own, file: undefined };
  }
  const named = processEnv.ENV?.trim();
  const file = path.resolve(cwd, named || ".env");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (!named && (err as NodeJS.ErrnoException).code === "ENOENT") return { env: own, file: undefined };
    throw new ConfigError(`ENV: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  return { env: { ...parseDotenv(text), ...own }, file };
}
