export type ImportedTable = "projects" | "tokens" | "audit_events";

export interface TableCounts {
  /** Rows read from the source. */
  read: number;
  /** Rows written (or, in a dry run, that would be written). */
  imported: number;
  /** Rows whose id is already in this database: skipped, never overwritten. */
  alreadyThere: number;
  /** Rows that cannot be carried; each is named in `notCarried`. */
  notCarried: number;
}

export interface ImportReport {
  source: { kind: "sqlite" | "postgres"; location: string; schema: string };
  dryRun: boolean;
  tables: Record<ImportedTable, TableCounts>;
  notCarried: { table: ImportedTable; id: string; reason: string }[];
  /** What was changed on the way, e.g. plaintext keys sealed under ENCRYPTION_KEY. */
  notes: string[];
}

export function emptyReport(source: ImportReport["source"], dryRun: boolean): ImportReport {
  const zero = (): TableCounts => ({ read: 0, imported: 0, alreadyThere: 0, notCarried: 0 });
  return { source, dryRun, tables: { projects: zero(), tokens: zero(), audit_events: zero() }, notCarried: [], notes: [] };
}

export function noteNotCarried(report: ImportReport, table: ImportedTable, id: string, reason: string): void {
  report.tables[table].notCarried++;
  report.notCarried.push({ table, id, reason });
}

const pad = (v: string | number, n: number) => String(v).padStart(n);

/** The report as the CLI prints it: a table of counts, then every row not carried, by id. */
export function formatReport(r: ImportReport): string {
  const from = r.source.kind === "sqlite" ? `SQLite file ${r.source.location}` : `PostgreSQL ${r.source.location}`;
  const lines = [
    `${r.dryRun ? "Dry run: nothing was written. Importing" : "Imported"} from the Go llm-proxy's ${from} (${r.source.schema})`,
    "",
    `  ${"".padEnd(13)}${pad("read", 8)}${pad(r.dryRun ? "would import" : "imported", 14)}${pad("already here", 14)}${pad("not carried", 13)}`,
  ];
  for (const [table, c] of Object.entries(r.tables)) {
    lines.push(`  ${table.padEnd(13)}${pad(c.read, 8)}${pad(c.imported, 14)}${pad(c.alreadyThere, 14)}${pad(c.notCarried, 13)}`);
  }
  if (r.notes.length > 0) lines.push("", ...r.notes.map((n) => `  - ${n}`));
  if (r.notCarried.length > 0) {
    lines.push("", `Not carried (${r.notCarried.length}):`);
    for (const n of r.notCarried) lines.push(`  ${n.table} ${n.id}: ${n.reason}`);
  }
  return lines.join("\n") + "\n";
}
