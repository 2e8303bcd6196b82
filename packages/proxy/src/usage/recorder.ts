import type { Sql } from "../storage/db.js";
import { addTokenUsage, type TokenUsageDelta } from "../tokens/store.js";
import { cleanCount, cleanModel, isRowError } from "./clean.js";
import { SpendLedger, type LedgerSize, type Unflushed } from "./spend.js";
import { addUsage, type UsageRow } from "./store.js";

export interface RecordedRequest {
  tokenId: string;
  projectId: string;
  model: string;
  /** Unlimited tokens are counted here; limited ones were counted exactly before forwarding. */
  countRequest: boolean;
  cacheHit: boolean;
  error: boolean;
  promptTokens: number;
  completionTokens: number;
  /** What the request cost, in nano-dollars (none: unpriced or a cache hit). */
  costNanos?: number;
  at: number;
}

/** A row the database refused for its values; it is reported and dropped, never retried. */
export type RejectedRow = { table: "tokens"; row: TokenUsageDelta } | { table: "usage_hourly"; row: UsageRow };

export interface UsageRecorderOptions {
  intervalMs: number;
  /** A flush failed (database unreachable or busy): the deltas stay for the next one. */
  onError?: (err: unknown) => void;
  /** The database refused one row: it is dropped so that every other row commits. */
  onRejected?: (rejected: RejectedRow, err: unknown) => void;
  /** The clock of the budget checks' month (tests move it). */
  now?: () => number;
  /** How many budgeted tokens and projects the spend ledger follows (the data plane's cache sizes). */
  ledger?: LedgerSize;
}

type Pending = RejectedRow;

const HOUR = 3_600_000;
const SHUTDOWN_ATTEMPTS = 3;
const SHUTDOWN_MAX_ROUNDS = 10;
const SHUTDOWN_RETRY_MS = 500;
const rollupKey = (projectId: string, model: string, hour: number) => `${projectId}\u0000${model}\u0000${hour}`;

/**
 * Aggregates per-token counters and per-(project, model, hour) rollups in memory and writes them
 * in one transaction every interval and on shutdown. Values are cleaned when recorded; when the
 * batch still fails, each row is written on its own so that a row the database refuses is
 * reported and dropped while the rest commits. Rows that failed because the database is away are
 * kept for the next attempt, so counts are late rather than lost.
 */
export class UsageRecorder implements Unflushed {
  private tokens = new Map<string, TokenUsageDelta>();
  private rollups = new Map<string, UsageRow>();
  /** The rows of the write under way: not in the database yet, no longer pending. */
  private writing: Pending[] = [];
  /** Live spend of budgeted tokens and projects, raised by every recorded request. */
  readonly spend: SpendLedger;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Since when flushes fail; undefined while they succeed. */
  private failingSince: number | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly o: UsageRecorderOptions,
  ) {
    this.spend = new SpendLedger(this, o.now, o.ledger);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.o.intervalMs);
    this.timer.unref();
  }

  record(r: RecordedRequest): void {
    const prompt = cleanCount(r.promptTokens);
    const completion = cleanCount(r.completionTokens);
    const cost = cleanCount(r.costNanos, Number.MAX_SAFE_INTEGER);
    this.spend.add(r.tokenId, r.projectId, cost, r.at);
    const cacheHits = r.cacheHit ? 1 : 0;
    const used = r.countRequest || r.cacheHit;
    this.addToken(r.tokenId, r.countRequest ? 1 : 0, cacheHits, prompt, completion, cost, used ? r.at : null);
    this.addRollup(r.projectId, cleanModel(r.model), Math.floor(r.at / HOUR) * HOUR, 1, r.error ? 1 : 0, cacheHits, prompt, completion, cost);
  }

  /** This instance's spend for the token that the database does not have yet. */
  token(id: string): number {
    const writing = this.writing.reduce((sum, p) => sum + (p.table === "tokens" && p.row.id === id ? p.row.spend_nanos : 0), 0);
    return (this.tokens.get(id)?.spend_nanos ?? 0) + writing;
  }

  /** This instance's spend for the project since `since` that the database does not have yet. */
  project(id: string, since: number): number {
    let sum = 0;
    for (const u of [...this.rollups.values(), ...this.writing.flatMap((p) => (p.table === "usage_hourly" ? [p.row] : []))]) {
      if (u.project_id === id && u.hour.getTime() >= since) sum += u.cost_nanos;
    }
    return sum;
  }

  get pending(): number {
    return this.tokens.size + this.rollups.size;
  }

  /** Throws while flushes fail, saying for how long: the `/health` check (not required). */
  async check(): Promise<void> {
    if (this.failingSince === undefined) return;
    const seconds = Math.round((Date.now() - this.failingSince) / 1000);
    throw new Error(`usage writes failing for ${seconds} s; ${this.pending} rows waiting`);
  }

  /** Writes what has accumulated; concurrent calls share one write. Rejects when the database is away. */
  flush(): Promise<void> {
    this.flushing ??= this.write()
      .then(
        () => void (this.failingSince = undefined),
        (err: unknown) => {
          this.failingSince ??= Date.now();
          this.o.onError?.(err);
          throw err;
        },
      )
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending === 0) return;
    const rows: Pending[] = [
      ...[...this.tokens.values()].map((row) => ({ table: "tokens" as const, row })),
      ...[...this.rollups.values()].map((row) => ({ table: "usage_hourly" as const, row })),
    ];
    this.tokens = new Map();
    this.rollups = new Map();
    this.writing = rows;
    try {
      await this.sql.begin(async (tx) => {
        await addTokenUsage(tx, rows.flatMap((p) => (p.table === "tokens" ? [p.row] : [])));
        await addUsage(tx, rows.flatMap((p) => (p.table === "usage_hourly" ? [p.row] : [])));
      });
    } catch {
      await this.writeOneByOne(rows);
    } finally {
      this.writing = [];
    }
  }

  /** After a failed batch: each row alone. Stops at the first failure that is not the row's fault. */
  private async writeOneByOne(rows: Pending[]): Promise<void> {
    for (const [i, p] of rows.entries()) {
      try {
        if (p.table === "tokens") await addTokenUsage(this.sql, [p.row]);
        else await addUsage(this.sql, [p.row]);
      } catch (err) {
        if (isRowError(err)) {
          this.o.onRejected?.(p, err);
          continue;
        }
        for (const rest of rows.slice(i)) this.merge(rest);
        throw err;
      }
    }
  }

  /** Puts a row that could not be written back among the pending ones. */
  private merge(p: Pending): void {
    if (p.table === "usage_hourly") {
      const u = p.row;
      return this.addRollup(u.project_id, u.model, u.hour.getTime(), u.requests, u.errors, u.cache_hits, u.prompt_tokens, u.completion_tokens, u.cost_nanos);
    }
    const t = p.row;
    this.addToken(t.id, t.requests, t.cache_hits, t.prompt_tokens, t.completion_tokens, t.spend_nanos, t.last_used_at?.getTime() ?? null);
  }

  // The two below run for every request: numbers in, the pending row added to in place (no delta objects).

  private addToken(id: string, requests: number, cacheHits: number, prompt: number, completion: number, spend: number, usedAt: number | null): void {
    const t = this.tokens.get(id);
    if (!t) {
      this.tokens.set(id, { id, requests, cache_hits: cacheHits, prompt_tokens: prompt, completion_tokens: completion, spend_nanos: spend, last_used_at: usedAt === null ? null : new Date(usedAt) });
      return;
    }
    t.requests += requests;
    t.cache_hits += cacheHits;
    t.prompt_tokens += prompt;
    t.completion_tokens += completion;
    t.spend_nanos += spend;
    if (usedAt !== null && (!t.last_used_at || usedAt > t.last_used_at.getTime())) t.last_used_at = new Date(usedAt);
  }

  private addRollup(projectId: string, model: string, hour: number, requests: number, errors: number, cacheHits: number, prompt: number, completion: number, cost: number): void {
    const key = rollupKey(projectId, model, hour);
    const u = this.rollups.get(key);
    if (!u) {
      this.rollups.set(key, { project_id: projectId, model, hour: new Date(hour), requests, errors, cache_hits: cacheHits, prompt_tokens: prompt, completion_tokens: completion, cost_nanos: cost });
      return;
    }
    u.requests += requests;
    u.errors += errors;
    u.cache_hits += cacheHits;
    u.prompt_tokens += prompt;
    u.completion_tokens += completion;
    u.cost_nanos += cost;
  }

  /** Stops the timer and writes everything left, retrying a few times while the database is away. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    // A flush already under way took its rows before later ones arrived: go on until none is left.
    let failures = 0;
    for (let round = 0; round < SHUTDOWN_MAX_ROUNDS && (this.pending > 0 || this.flushing); round++) {
      try {
        await this.flush();
      } catch (err) {
        if (++failures >= SHUTDOWN_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, SHUTDOWN_RETRY_MS));
      }
    }
  }
}
