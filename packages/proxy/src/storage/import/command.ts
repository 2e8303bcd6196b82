import type { Secrets } from "../../security/secrets.js";
import type { Sql } from "../db.js";
import { migrateUp } from "../migrate.js";
import { ImportSourceError, type OriginalData } from "./original-schema.js";
import { readPostgresSource, redactUrl } from "./postgres-source.js";
import { formatReport } from "./report.js";
import { importOriginal } from "./run.js";

const IMPORT_USAGE = "usage: migrate import --from <the Go llm-proxy's SQLite file | postgres://…> [--dry-run] [--json]";

interface ImportArgs {
  from: string;
  dryRun: boolean;
  json: boolean;
}

function parseImportArgs(args: string[]): ImportArgs {
  let from: string | undefined;
  let dryRun = false;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--dry-run") dryRun = true;
    else if (a === "--json") json = true;
    else if (a === "--from") from = args[++i];
    else if (a.startsWith("--from=")) from = a.slice("--from=".length);
    else throw new ImportSourceError(`unknown argument "${a}"; ${IMPORT_USAGE}`);
  }
  if (!from) throw new ImportSourceError(`--from is required; ${IMPORT_USAGE}`);
  return { from, dryRun, json };
}

/** Picks the reader by the form of SOURCE: a postgres:// URL, else a SQLite file path. */
export async function readSource(from: string): Promise<OriginalData> {
  if (/^postgres(ql)?:\/\//i.test(from)) return readPostgresSource(from);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from) && !/^(file|sqlite):\/\//i.test(from)) {
    throw new ImportSourceError(`${redactUrl(from)}: unsupported source (expected the Go llm-proxy's SQLite file or a postgres:// URL; MySQL is not supported)`);
  }
  const { readSqliteSource } = await import("./sqlite-source.js");
  return readSqliteSource(from.replace(/^(file|sqlite):\/\//i, ""));
}

/**
 * `migrate import`: reads the whole source first (refusing one it does not recognise before this
 * database is touched), brings this database's schema up to date, imports, and returns the report.
 */
export async function importCommand(args: string[], sql: Sql, secrets: Secrets): Promise<string> {
  const opts = parseImportArgs(args);
  const data = await readSource(opts.from);
  await migrateUp(sql);
  const report = await importOriginal(sql, secrets, data, { dryRun: opts.dryRun });
  return opts.json ? JSON.stringify(report, null, 2) + "\n" : formatReport(report);
}
