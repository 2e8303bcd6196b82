import { LRUCache } from "lru-cache";
import { projectAccess } from "../projects/store.js";
import type { Change, ChangeFeed } from "../revocation/port.js";
import type { Secrets } from "../security/secrets.js";
import type { Sql } from "../storage/db.js";
import { isWellFormedToken } from "../tokens/format.js";
import { consumeLimitedRequest, findTokenForAccess } from "../tokens/store.js";
import { monthStart, type SpendLedger } from "../usage/spend.js";
import { projectSpendSince } from "../usage/store.js";
import { isProblem, problem, type Problem } from "../errors.js";

export interface ActiveToken {
  id: string;
  projectId: string;
  expiresAt: number | null;
  limited: boolean;
  /** Per-token requests per minute; null = the configured default. */
  rateLimitRpm: number | null;
  /** Lifetime budget in nano-dollars; null = none. */
  maxSpendNanos: number | null;
}

export interface AccessOptions {
  tokenTtlMs: number;
  tokenMax: number;
  projectTtlMs: number;
  projectMax: number;
  /** Seeded with the stored spend of budgeted tokens and projects as they are loaded. */
  spend?: Pick<SpendLedger, "seedToken" | "seedProject" | "now">;
}

export interface ProjectEntry {
  isActive: boolean;
  apiKey: string;
  fetchedAt: number;
  /** Budget per UTC calendar month in nano-dollars; null = none. */
  monthlyBudgetNanos: number | null;
}

const NOT_FOUND = Symbol("not found");

const INVALID_FORMAT = problem("invalid_token", "invalid token format");
const TOKEN_NOT_FOUND = problem("token_not_found");
const TOKEN_INACTIVE = problem("token_inactive");
const TOKEN_EXPIRED = problem("token_expired");
const STORE_UNAVAILABLE = problem("service_unavailable", "token store unavailable");
const QUOTA_SPENT = problem("rate_limit_exceeded", "the token's max_requests quota is used up", { permanent: true });
const NO_UPSTREAM_KEY = problem("upstream_auth_error", "failed to load upstream API key");

/**
 * Token and project checks for the data plane, answered with values (a refusal is a `Problem`,
 * not an exception) from bounded in-process caches. Entries
 * are dropped at once when the change feed reports a revoke, deactivation or update; when the
 * database is unreachable, project entries are served stale rather than failing.
 */
export class Access {
  private readonly tokens: LRUCache<string, ActiveToken | typeof NOT_FOUND>;
  private readonly projects: LRUCache<string, ProjectEntry>;
  private readonly loading = new Map<string, Promise<ActiveToken | typeof NOT_FOUND | Problem>>();
  private readonly loadingProjects = new Map<string, Promise<ProjectEntry | Problem>>();
  private readonly unsubscribe: () => void;
  /** Bumped on every change, so a load that raced a revoke does not cache its stale row. */
  private generation = 0;

  constructor(
    private readonly sql: Sql,
    private readonly secrets: Secrets,
    changes: ChangeFeed,
    private readonly opts: AccessOptions,
  ) {
    this.tokens = new LRUCache({ max: opts.tokenMax, ttl: opts.tokenTtlMs });
    this.projects = new LRUCache({ max: opts.projectMax });
    this.unsubscribe = changes.subscribe((change) => this.forget(change));
  }

  private forget(change: Change): void {
    this.generation++;
    if (change.kind === "all") {
      this.tokens.clear();
      // Refetched on next use, but kept as the fallback for a database outage.
      for (const entry of this.projects.values()) entry.fetchedAt = 0;
      return;
    }
    if (change.kind === "project") return void this.projects.delete(change.id);
    // Changes name tokens by id (never by secret); a scan of the bounded cache finds their entries.
    const ids = new Set(change.ids);
    const stale = [...this.tokens.entries()].filter(([, e]) => e !== NOT_FOUND && ids.has(e.id)).map(([key]) => key);
    for (const key of stale) this.tokens.delete(key);
  }

  close(): void {
    this.unsubscribe();
  }

  /**
   * Resolves a presented secret to an active token, or the 401 the original gives; synchronous
   * when the answer is cached.
   */
  token(secret: string): ActiveToken | Problem | Promise<ActiveToken | Problem> {
    if (!isWellFormedToken(secret)) return INVALID_FORMAT;
    const key = this.secrets.tokenLookupKey(secret);
    const entry = this.tokens.get(key);
    if (entry !== undefined) return this.checked(key, entry);
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(key).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending.then((loaded) => (isProblem(loaded) ? loaded : this.checked(key, loaded)));
  }

  private checked(key: string, entry: ActiveToken | typeof NOT_FOUND): ActiveToken | Problem {
    if (entry === NOT_FOUND) return TOKEN_NOT_FOUND;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.tokens.delete(key);
      return TOKEN_EXPIRED;
    }
    return entry;
  }

  private async load(key: string): Promise<ActiveToken | typeof NOT_FOUND | Problem> {
    const generation = this.generation;
    let row;
    try {
      row = await findTokenForAccess(this.sql, key);
    } catch {
      return STORE_UNAVAILABLE;
    }
    if (!row) {
      // Negative entries shield the database from floods of made-up tokens; a real secret is
      // random, so it is never looked up before it exists.
      this.tokens.set(key, NOT_FOUND, { ttl: 30_000 });
      return NOT_FOUND;
    }
    if (!row.is_active) return TOKEN_INACTIVE;
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return TOKEN_EXPIRED;
    const token: ActiveToken = {
      id: row.id,
      projectId: row.project_id,
      expiresAt: row.expires_at?.getTime() ?? null,
      limited: row.max_requests !== null,
      rateLimitRpm: row.rate_limit_rpm,
      maxSpendNanos: row.max_spend_nanos,
    };
    if (token.maxSpendNanos !== null) this.opts.spend?.seedToken(token.id, row.spend_nanos);
    // A budgeted token is reloaded as often as a project, so other instances' spend reaches its check as soon.
    const ttl = token.maxSpendNanos !== null ? Math.min(this.opts.tokenTtlMs, this.opts.projectTtlMs) : undefined;
    if (generation === this.generation) this.tokens.set(key, token, ttl === undefined ? {} : { ttl });
    return token;
  }

  /**
   * Counts a request against a limited token with one conditional UPDATE; undefined when it
   * was counted, else the reason it was refused.
   */
  async consume(secret: string, token: ActiveToken): Promise<Problem | undefined> {
    let ok: boolean;
    try {
      ok = await consumeLimitedRequest(this.sql, token.id);
    } catch {
      return STORE_UNAVAILABLE;
    }
    if (ok) return undefined;
    const key = this.secrets.tokenLookupKey(secret);
    const row = await findTokenForAccess(this.sql, key).catch(() => undefined);
    if (row && !row.is_active) {
      this.tokens.delete(key);
      return TOKEN_INACTIVE;
    }
    if (row?.expires_at && row.expires_at.getTime() <= Date.now()) return TOKEN_EXPIRED;
    return QUOTA_SPENT;
  }

  /**
   * The project's active flag and decrypted upstream key, cached for projectTtlMs (synchronous
   * then); served stale while the database is unreachable. Requests that find it missing or
   * expired together share one load (its row, its key's decryption, a budget's month of spend).
   */
  project(id: string): ProjectEntry | Problem | Promise<ProjectEntry | Problem> {
    const cached = this.projects.get(id);
    if (cached && Date.now() - cached.fetchedAt < this.opts.projectTtlMs) return cached;
    let pending = this.loadingProjects.get(id);
    if (!pending) {
      pending = this.loadProject(id, cached).finally(() => this.loadingProjects.delete(id));
      this.loadingProjects.set(id, pending);
    }
    return pending;
  }

  private async loadProject(id: string, cached: ProjectEntry | undefined): Promise<ProjectEntry | Problem> {
    const generation = this.generation;
    let row;
    try {
      row = await projectAccess(this.sql, id);
    } catch {
      return cached ?? problem("service_unavailable");
    }
    if (!row) return problem("service_unavailable", "project not found");
    let apiKey: string;
    try {
      apiKey = this.secrets.openApiKey(row.api_key);
    } catch {
      return NO_UPSTREAM_KEY;
    }
    if (row.monthly_budget_nanos !== null && this.opts.spend) {
      const month = monthStart(this.opts.spend.now());
      try {
        this.opts.spend.seedProject(id, month, await projectSpendSince(this.sql, id, new Date(month)));
      } catch {
        return cached ?? problem("service_unavailable");
      }
    }
    const entry = { isActive: row.is_active, apiKey, fetchedAt: Date.now(), monthlyBudgetNanos: row.monthly_budget_nanos };
    if (generation === this.generation) this.projects.set(id, entry);
    return entry;
  }
}
