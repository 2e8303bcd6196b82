import { LRUCache } from "lru-cache";

/** The start (ms) of the UTC calendar month `at` falls in. */
export function monthStart(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start (ms) of the UTC calendar month after the one `at` falls in. */
export function nextMonthStart(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Spend this instance recorded that is not in the database yet (pending or being written). */
export interface Unflushed {
  token(id: string): number;
  project(id: string, since: number): number;
}

interface Seen {
  /** What the database held when the entry was seeded. */
  stored: number;
  /** What this instance recorded since, flushed or not. */
  local: number;
}

interface MonthSeen extends Seen {
  month: number;
  /** When the month ends (the next one's start): the checks compare numbers, no Date per request. */
  until: number;
}

/** How many budgeted tokens and projects it follows: as many as the data plane caches (TOKEN_CACHE_MAX, LLM_PROXY_ACTIVE_CACHE_MAX). */
export interface LedgerSize {
  tokens: number;
  projects: number;
}

/**
 * Live spend, in nano-dollars, of the tokens and projects that have a budget: seeded from the
 * database when the data plane loads them, then raised by every request this instance finishes,
 * so the budget check on one instance sees each finished request at once. Other instances'
 * spend arrives with the next seed (after their usage flush and this one's cache TTL): that lag
 * bounds the overshoot across instances. Synchronous: the check costs the hot path no await.
 */
export class SpendLedger {
  // lru-cache allocates its slots up front (100,000 of them cost ~15 ms and ~2 MB at every start):
  // sized as the caches whose tokens and projects it follows, never more.
  private readonly tokens: LRUCache<string, Seen>;
  private readonly projects: LRUCache<string, MonthSeen>;

  constructor(
    private readonly unflushed: Unflushed,
    readonly now: () => number = Date.now,
    size: LedgerSize = { tokens: 10_000, projects: 10_000 },
  ) {
    this.tokens = new LRUCache({ max: size.tokens });
    this.projects = new LRUCache({ max: size.projects });
  }

  /** A budgeted token's lifetime spend as stored; what this instance has not flushed is added. */
  seedToken(id: string, stored: number): void {
    this.tokens.set(id, { stored, local: this.unflushed.token(id) });
  }

  /** A budgeted project's spend in the month starting at `month`, as stored. */
  seedProject(id: string, month: number, stored: number): void {
    this.projects.set(id, { month, until: nextMonthStart(month), stored, local: this.unflushed.project(id, month) });
  }

  /** A finished request's cost, received at `at`, counted for its token and its project's month. */
  add(tokenId: string, projectId: string, nanos: number, at: number): void {
    if (nanos <= 0) return;
    const t = this.tokens.get(tokenId);
    if (t) t.local += nanos;
    const p = this.projects.get(projectId);
    if (!p) return;
    if (at >= p.until) turn(p, at);
    if (at >= p.month) p.local += nanos;
  }

  tokenSpent(id: string): number {
    const t = this.tokens.get(id);
    return t ? t.stored + t.local : 0;
  }

  /** The project's spend in the current UTC month (0 right after it turned). */
  projectSpent(id: string): number {
    const p = this.projects.get(id);
    if (!p) return 0;
    const now = this.now();
    if (now >= p.until) turn(p, now);
    return p.stored + p.local;
  }
}

/** A new UTC month began (the one `at` falls in): the project has spent nothing in it yet. */
function turn(p: MonthSeen, at: number): void {
  Object.assign(p, { month: monthStart(at), until: nextMonthStart(at), stored: 0, local: 0 });
}
