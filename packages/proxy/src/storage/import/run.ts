import { checkEncryptionKey, recordKeyFingerprint } from "../../security/key-check.js";
import { isSealed, isTokenHash, type Secrets } from "../../security/secrets.js";
import type { Sql, Tx } from "../db.js";
import { mapAudit, mapProject, mapToken, type Mapped } from "./mapping.js";
import { ImportSourceError, describeLayout, type OriginalData } from "./original-schema.js";
import { emptyReport, noteNotCarried, type ImportReport, type ImportedTable } from "./report.js";
import { existingIds, insertAudit, insertProjects, insertTokens } from "./write.js";

/** Thrown inside the transaction of a dry run, so that everything it wrote is rolled back. */
class DryRunRollback extends Error {}

/**
 * The source's secrets must fit the configured ENCRYPTION_KEY before anything is written: its
 * sealed upstream keys must open with it, and sealed keys or SHA-256 tokens need one at all.
 */
function assertSecretsFit(data: OriginalData, secrets: Secrets): void {
  const sealed = data.projects.filter((p) => typeof p.api_key === "string" && isSealed(p.api_key));
  const hashed = data.tokens.filter((t) => typeof t.token === "string" && isTokenHash(t.token)).length;
  if (!secrets.enabled && sealed.length + hashed > 0) {
    throw new ImportSourceError(
      `the source is encrypted (${sealed.length} sealed upstream keys, ${hashed} SHA-256 tokens) but ENCRYPTION_KEY is not set: ` +
        "set ENCRYPTION_KEY to the key the Go llm-proxy ran with, then import again",
    );
  }
  for (const p of sealed) {
    try {
      secrets.openApiKey(p.api_key as string);
    } catch {
      throw new ImportSourceError(
        `ENCRYPTION_KEY does not open the upstream key of project ${String(p.id)}: set it to the key the Go llm-proxy ran with, then import again`,
      );
    }
  }
}

/** Splits mapped rows into those to write and those named in the report. */
function sort<T>(report: ImportReport, table: ImportedTable, mapped: Mapped<T>[]): T[] {
  const rows: T[] = [];
  for (const m of mapped) {
    if (m.ok) rows.push(m.row);
    else noteNotCarried(report, table, m.id, m.reason);
  }
  return rows;
}

function count(mapped: Mapped<unknown>[], change: string): number {
  return mapped.filter((m) => m.ok && m.changed === change).length;
}

async function importProjects(tx: Tx, report: ImportReport, data: OriginalData, secrets: Secrets): Promise<void> {
  const mapped = data.projects.map((r) => mapProject(r, secrets));
  const rows = sort(report, "projects", mapped);
  const written = await insertProjects(tx, rows);
  const rest = rows.filter((r) => !written.has(r.id));
  const there = await existingIds(tx, "projects", rest.map((r) => r.id));
  for (const r of rest) {
    if (there.has(r.id)) report.tables.projects.alreadyThere++;
    else noteNotCarried(report, "projects", r.id, `a project named ${JSON.stringify(r.name)} already exists here under another id`);
  }
  report.tables.projects.imported = written.size;
  const sealed = count(mapped, "sealed");
  if (sealed > 0) report.notes.push(`${sealed} plaintext upstream keys are stored sealed with ENCRYPTION_KEY (enc:v1:)`);
}

async function importTokens(tx: Tx, report: ImportReport, data: OriginalData, secrets: Secrets): Promise<void> {
  const mapped = data.tokens.map((r) => mapToken(r, secrets));
  const candidates = sort(report, "tokens", mapped);
  // A token needs its project here (imported now or before): the foreign key would end the whole import.
  const projects = await existingIds(tx, "projects", [...new Set(candidates.map((t) => t.project_id))]);
  const rows = candidates.filter((t) => {
    if (projects.has(t.project_id)) return true;
    noteNotCarried(report, "tokens", t.id, `its project ${t.project_id} is not here (not in the source, or not carried)`);
    return false;
  });
  const written = await insertTokens(tx, rows);
  const rest = rows.filter((r) => !written.has(r.id));
  const there = await existingIds(tx, "tokens", rest.map((r) => r.id));
  for (const r of rest) {
    if (there.has(r.id)) report.tables.tokens.alreadyThere++;
    else noteNotCarried(report, "tokens", r.id, "the same token is already stored here under another id");
  }
  report.tables.tokens.imported = written.size;
  const hashed = count(mapped, "hashed");
  const derived = count(mapped, "derived-id");
  if (hashed > 0) report.notes.push(`${hashed} plaintext tokens are stored as their SHA-256 lookup key (ENCRYPTION_KEY is set); clients keep the same secret`);
  if (derived > 0) report.notes.push(`${derived} tokens had no id (schema before migration 00004): each got a stable id derived from the token`);
}

async function importAudit(tx: Tx, report: ImportReport, data: OriginalData): Promise<void> {
  const mapped = data.audit.map((r) => mapAudit(r));
  const rows = sort(report, "audit_events", mapped);
  const written = await insertAudit(tx, rows);
  // audit_events has no unique value but its id: every row not written is already here.
  report.tables.audit_events.alreadyThere = rows.length - written.size;
  report.tables.audit_events.imported = written.size;
  const wrapped = count(mapped, "metadata-wrapped");
  if (wrapped > 0) report.notes.push(`${wrapped} audit events had metadata that is not a JSON object: kept as text under "original_metadata"`);
}

/**
 * Imports what the Go llm-proxy stored into this proxy's database, in one transaction: all of
 * it or nothing. Rows already here by id are skipped and counted, so a second run changes
 * nothing; rows that cannot be carried are named in the report. A dry run does the same work
 * and rolls it back, so its report is exactly what a real run would do.
 */
export async function importOriginal(sql: Sql, secrets: Secrets, data: OriginalData, opts: { dryRun: boolean }): Promise<ImportReport> {
  assertSecretsFit(data, secrets);
  const report = emptyReport({ kind: data.kind, location: data.location, schema: data.schema || describeLayout(data.layout) }, opts.dryRun);
  report.tables.projects.read = data.projects.length;
  report.tables.tokens.read = data.tokens.length;
  report.tables.audit_events.read = data.audit.length;
  try {
    await sql.begin(async (tx) => {
      // The data here and ENCRYPTION_KEY must agree before more is added under that key.
      await checkEncryptionKey(tx, secrets);
      await importProjects(tx, report, data, secrets);
      await importTokens(tx, report, data, secrets);
      await importAudit(tx, report, data);
      await recordKeyFingerprint(tx, secrets);
      if (opts.dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return report;
}
