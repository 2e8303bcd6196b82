import postgres from "postgres";
import { ImportSourceError, describeLayout, originalSelects, recogniseOriginal, type OriginalData, type SourceColumns, type SourceRow } from "./original-schema.js";

/** The URL as the report may show it: without its password (also one given as `?password=`). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    if (u.searchParams.has("password")) u.searchParams.set("password", "***");
    return u.toString();
  } catch {
    return "(an unreadable URL)";
  }
}

async function columnsOf(tx: postgres.Sql): Promise<SourceColumns> {
  const rows = await tx<{ table_name: string; column_name: string }[]>`
    SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
  `;
  const columns: SourceColumns = new Map();
  for (const r of rows) {
    const set = columns.get(r.table_name) ?? new Set<string>();
    set.add(r.column_name);
    columns.set(r.table_name, set);
  }
  return columns;
}

async function gooseVersion(tx: postgres.Sql, columns: SourceColumns): Promise<string> {
  if (!columns.has("goose_db_version")) return "no goose_db_version table";
  const [row] = await tx<{ v: string | null }[]>`SELECT max(version_id)::text AS v FROM goose_db_version WHERE is_applied`;
  return `goose version ${row?.v ?? "0"}`;
}

/**
 * Reads the whole of the original's PostgreSQL database (its goose schema, in any migration
 * state) in one read-only, repeatable-read transaction: a consistent snapshot even while the
 * Go llm-proxy still serves.
 */
export async function readPostgresSource(url: string): Promise<OriginalData> {
  const where = redactUrl(url);
  let sql: postgres.Sql | undefined;
  try {
    // Inside the try: a URL postgres.js cannot parse is the source's fault, reported as such.
    sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {}, fetch_types: false });
    return (await sql.begin("isolation level repeatable read read only", async (tx) => {
      const t = tx as unknown as postgres.Sql;
      const columns = await columnsOf(t);
      const layout = recogniseOriginal(columns, where);
      const q = originalSelects(layout, (c) => `${c}::text`, (c) => `${c}::text`);
      return {
        kind: "postgres",
        location: where,
        schema: `${await gooseVersion(t, columns)}, ${describeLayout(layout)}`,
        layout,
        projects: await t.unsafe<SourceRow[]>(q.projects),
        tokens: await t.unsafe<SourceRow[]>(q.tokens),
        audit: q.audit ? await t.unsafe<SourceRow[]>(q.audit) : [],
      } satisfies OriginalData;
    })) as OriginalData;
  } catch (err) {
    if (err instanceof ImportSourceError) throw err;
    throw new ImportSourceError(`${where} cannot be read: ${(err as Error).message}`);
  } finally {
    await sql?.end({ timeout: 5 });
  }
}
