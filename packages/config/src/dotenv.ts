import { readFileSync } from "node:fs";

/**
 * `.env` text as the Go original's godotenv and `node --env-file` read it: `KEY=value` lines, an
 * optional `export ` prefix, `#` comments (a whole line, or after a space in an unquoted value),
 * 'single quotes' taken literally, "double quotes" with \n, \t, \" and \\ escapes. Later lines win.
 * Lines that are not assignments are skipped. Reading it at start is the migration issue's step;
 * this is the one parser for it (the CLI reads MANAGEMENT_TOKEN from ./.env with it).
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

/** The variables of a `.env` file; empty when there is none (or it cannot be read). */
export function readDotenvFile(file: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(file, "utf8"));
  } catch {
    return {};
  }
}
