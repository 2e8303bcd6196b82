import { LRUCache } from "lru-cache";
import { projectAccess } from "../projects/store.js";
import type { Change, ChangeFeed } from "../revocation/port.js";
import type { Secrets } from "../security/secrets.js";
import type { Sql } from "../storage/db.js";
import { isWellFormedToken } from "../tokens/format.js";
import { consumeLimitedRequest, findTokenForAccess } from "../tokens/store.js";
import { ProxyError } from "./errors.js";

export interface ActiveToken {
  id: string;
  projectId: string;
  expiresAt: number | null;
  limited: boolean;
  /** Per-token requests per minute; null = the configured default. */
  rateLimitRpm: number | null;
}

export interface AccessOptions {
  tokenTtlMs: number;
  tokenMax: number;
  projectTtlMs: number;
  projectMax: number;
}

interface ProjectEntry {
  isActive: boolean;
  apiKey: string;
  fetchedAt: number;
}

const NOT_FOUND = Symbol("not found");

/**
 * Token and project checks for the data plane, answered from bounded in-process caches. Entries
 * are dropped at once when the change feed reports a revoke, deactivation or update; when the
 * database is unreachable, project entries are served stale rather than failing.
 */
export class Access {
  private readonly tokens: LRUCache<string, ActiveToken | typeof NOT_FOUND>;
  private readonly projects: LRUCache<string, ProjectEntry>;
  private readonly loading = new Map<string, Promise<ActiveToken | typeof NOT_FOUND | ProxyError>>();
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

  /** Resolves a presented secret to an active token, or throws the 401 the original gives. */
  async token(secret: string): Promise<ActiveToken> {
    if (!isWellFormedToken(secret)) throw new ProxyError("invalid_token", "invalid token format");
    const key = this.secrets.tokenLookupKey(secret);
    let entry = this.tokens.get(key);
    if (entry === undefined) {
      let pending = this.loading.get(key);
      if (!pending) {
        pending = this.load(key).finally(() => this.loading.delete(key));
        this.loading.set(key, pending);
      }
      const loaded = await pending;
      if (loaded instanceof ProxyError) throw loaded;
      entry = loaded;
    }
    if (entry === NOT_FOUND) throw new ProxyError("token_not_found");
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.tokens.delete(key);
      throw new ProxyError("token_expired");
    }
    return entry;
  }

  private async load(key: string): Promise<ActiveToken | typeof NOT_FOUND | ProxyError> {
    const generation = this.generation;
    let row;
    try {
      row = await findTokenForAccess(this.sql, key);
    } catch {
      return new ProxyError("service_unavailable", "token store unavailable");
    }
    if (!row) {
      // Negative entries shield the database from floods of made-up tokens; a real secret is
      // random, so it is never looked up before it exists.
      this.tokens.set(key, NOT_FOUND, { ttl: 30_000 });
      return NOT_FOUND;
    }
    if (!row.is_active) return new ProxyError("token_inactive");
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return new ProxyError("token_expired");
    const token: ActiveToken = {
      id: row.id,
      projectId: row.project_id,
      expiresAt: row.expires_at?.getTime() ?? null,
      limited: row.max_requests !== null,
      rateLimitRpm: row.rate_limit_rpm,
    };
    if (generation === this.generation) this.tokens.set(key, token);
    return token;
  }

  /** Counts a request against a limited token with one conditional UPDATE; explains a refusal. */
  async consume(secret: string, token: ActiveToken): Promise<void> {
    let ok: boolean;
    try {
      ok = await consumeLimitedRequest(this.sql, token.id);
    } catch {
      throw new ProxyError("service_unavailable", "token store unavailable");
    }
    if (ok) return;
    const key = this.secrets.tokenLookupKey(secret);
    const row = await findTokenForAccess(this.sql, key).catch(() => undefined);
    if (row && !row.is_active) {
      this.tokens.delete(key);
      throw new ProxyError("token_inactive");
    }
    if (row?.expires_at && row.expires_at.getTime() <= Date.now()) throw new ProxyError("token_expired");
    throw new ProxyError("rate_limit_exceeded", "the token's max_requests quota is used up", { permanent: true });
  }

  /** The project's active flag and decrypted upstream key, cached for projectTtlMs. */
  async project(id: string): Promise<ProjectEntry> {
    const cached = this.projects.get(id);
    if (cached && Date.now() - cached.fetchedAt < this.opts.projectTtlMs) return cached;
    const generation = this.generation;
    let row;
    try {
      row = await projectAccess(this.sql, id);
    } catch {
      if (cached) return cached;
      throw new ProxyError("service_unavailable");
    }
    if (!row) throw new ProxyError("service_unavailable", "project not found");
    let apiKey: string;
    try {
      apiKey = this.secrets.openApiKey(row.api_key);
    } catch {
      throw new ProxyError("upstream_auth_error", "failed to load upstream API key");
    }
    const entry = { isActive: row.is_active, apiKey, fetchedAt: Date.now() };
    if (generation === this.generation) this.projects.set(id, entry);
    return entry;
  }
}
