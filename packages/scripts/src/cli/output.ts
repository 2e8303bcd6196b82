import { println, type Output } from "./context.js";

export function printJson(out: Output, value: unknown): void {
  println(out, JSON.stringify(value, null, 2));
}

export type Column<T> = [header: string, cell: (row: T) => string | number | boolean | null | undefined];

/** A plain table with a header row; empty cells print as "-". */
export function printTable<T>(out: Output, rows: T[], columns: Column<T>[]): void {
  const cells = rows.map((r) => columns.map(([, cell]) => {
    const v = cell(r);
    return v === null || v === undefined || v === "" ? "-" : String(v);
  }));
  const headers = columns.map(([h]) => h);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join("  ");
  println(out, line(headers));
  for (const c of cells) println(out, line(c));
}

/** `key: value` lines for one record. */
export function printRecord(out: Output, record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    println(out, `${`${k}:`.padEnd(width + 1)} ${v === null ? "-" : typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
}
