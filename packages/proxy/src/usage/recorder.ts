import type { Sql } from "../storage/db.js";
import { addTokenUsage, type TokenUsageDelta } from "../tokens/store.js";
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
  at: number;
}

const HOUR = 3_600_000;

/**
 * Aggregates per-token counters and per-(project, model, hour) rollups in memory and writes them
 * in one transaction every interval and on shutdown. A failed write keeps the deltas for the
 * next attempt, so counts are late rather than lost.
 */
export class UsageRecorder {
  private tokens = new Map<string, TokenUsageDelta>();
  private rollups = new Map<string, UsageRow>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(this.onError), this.intervalMs);
    this.timer.unref();
  }

  record(r: RecordedRequest): void {
    let t = this.tokens.get(r.tokenId);
    if (!t) {
      t = { id: r.tokenId, requests: 0, cache_hits: 0, prompt_tokens: 0, completion_tokens: 0, last_used_at: null };
      this.tokens.set(r.tokenId, t);
    }
    if (r.countRequest) t.requests++;
    if (r.cacheHit) t.cache_hits++;
    t.prompt_tokens += r.promptTokens;
    t.completion_tokens += r.completionTokens;
    if (r.countRequest || r.cacheHit) t.last_used_at = new Date(r.at);

    const hour = Math.floor(r.at / HOUR) * HOUR;
    const key = `${r.projectId}\u0000${r.model}\u0000${hour}`;
    let u = this.rollups.get(key);
    if (!u) {
      u = { project_id: r.projectId, model: r.model, hour: new Date(hour), requests: 0, errors: 0, cache_hits: 0, prompt_tokens: 0, completion_tokens: 0 };
      this.rollups.set(key, u);
    }
    u.requests++;
    if (r.error) u.errors++;
    if (r.cacheHit) u.cache_hits++;
    u.prompt_tokens += r.promptTokens;
    u.completion_tokens += r.completionTokens;
  }

  get pending(): number {
    return this.tokens.size + this.rollups.size;
  }

  /** Writes what has accumulated; concurrent calls share one write. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.tokens.size === 0 && this.rollups.size === 0) return;
    const tokens = [...this.tokens.values()];
    const rollups = [...this.rollups.values()];
    this.tokens = new Map();
    this.rollups = new Map();
    try {
      await this.sql.begin(async (tx) => {
        await addTokenUsage(tx, tokens);
        await addUsage(tx, rollups);
      });
    } catch (err) {
      for (const t of tokens) this.mergeToken(t);
      for (const u of rollups) this.mergeRollup(u);
      throw err;
    }
  }

  private mergeToken(d: TokenUsageDelta): void {
    const t = this.tokens.get(d.id);
    if (!t) return void this.tokens.set(d.id, d);
    t.requests += d.requests;
    t.cache_hits += d.cache_hits;
    t.prompt_tokens += d.prompt_tokens;
    t.completion_tokens += d.completion_tokens;
    if (d.last_used_at && (!t.last_used_at || d.last_used_at > t.last_used_at)) t.last_used_at = d.last_used_at;
  }

  private mergeRollup(d: UsageRow): void {
    const key = `${d.project_id}\u0000${d.model}\u0000${d.hour.getTime()}`;
    const u = this.rollups.get(key);
    if (!u) return void this.rollups.set(key, d);
    u.requests += d.requests;
    u.errors += d.errors;
    u.cache_hits += d.cache_hits;
    u.prompt_tokens += d.prompt_tokens;
    u.completion_tokens += d.completion_tokens;
  }

  /** Stops the timer and writes everything left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
