import { randomUUID } from "node:crypto";
import type { Sql } from "../storage/db.js";
import { writeAudit, type Actor, type AuditEntry } from "./record.js";

export interface AggregateOptions {
  /** One row per client, action and reason per window of this length. */
  windowMs?: number;
  /** How often counts of open rows are written. */
  flushMs?: number;
  onError?: (err: unknown) => void;
}

interface Open {
  id: string;
  started: number;
  count: number;
  written: number;
  /** The row's insert; count updates wait for it. */
  inserted: Promise<void>;
}

/**
 * Audits a repeated event (failed management auth) without a write per event: the first one in
 * a window inserts a row with `details.count = 1`, later ones only raise the count, which is
 * written every `flushMs` and at `close()`. A flood costs one insert per client and window.
 */
export function auditAggregator(sql: Sql, opts: AggregateOptions = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const onError = opts.onError ?? (() => {});
  const open = new Map<string, Open>();
  const inflight = new Set<Promise<void>>();

  function writeCount(e: Open): Promise<void> {
    const count = e.count;
    const job = e.inserted
      .then(() => sql`UPDATE audit_events SET metadata = jsonb_set(metadata, '{count}', to_jsonb(${count}::int)) WHERE id = ${e.id}`)
      .then(() => void (e.written = Math.max(e.written, count)), onError)
      .finally(() => inflight.delete(job));
    inflight.add(job);
    return job;
  }

  async function flush(now = Date.now()): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const [key, e] of open) {
      if (e.count !== e.written) jobs.push(writeCount(e));
      else if (now - e.started >= windowMs) open.delete(key);
    }
    await Promise.all(jobs);
  }
  const timer = setInterval(() => void flush(), opts.flushMs ?? 1000);
  timer.unref();

  return {
    record(who: Actor, entry: AuditEntry, now = Date.now()): void {
      const key = `${entry.action}\n${who.clientIp ?? ""}\n${entry.reason ?? ""}`;
      const e = open.get(key);
      if (e && now - e.started < windowMs) {
        e.count++;
        return;
      }
      // The closing window's last count goes out now: its entry is about to be replaced.
      if (e && e.count !== e.written) void writeCount(e);
      const id = randomUUID();
      const details = { ...entry.note.details, count: 1, window_seconds: Math.round(windowMs / 1000) };
      const inserted = writeAudit(sql, who, { ...entry, id, note: { ...entry.note, details } }).catch(onError);
      open.set(key, { id, started: now, count: 1, written: 1, inserted });
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
      await Promise.all([...inflight, ...[...open.values()].map((e) => e.inserted)]);
    },
  };
}

export type AuditAggregator = ReturnType<typeof auditAggregator>;
