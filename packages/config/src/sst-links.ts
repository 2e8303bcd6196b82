import { z } from "zod";
import type { Env } from "./env.js";
import type { Problems } from "./errors.js";
import { cacheLinkUrl } from "./redis-url.js";

/**
 * SST links reach a container as `SST_RESOURCE_<Name>` variables holding JSON; under SST they take
 * precedence over the plain variables. These read the links the services use, each checked.
 */

const PREFIX = "SST_RESOURCE_";

export type SstLinks = Readonly<Record<string, unknown>>;

/** Every `SST_RESOURCE_*` variable parsed; one that is not JSON is a problem naming it. */
export function readSstLinks(env: Env, problems: Problems): SstLinks {
  const links: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(PREFIX) || !value?.trim()) continue;
    try {
      links[key.slice(PREFIX.length)] = JSON.parse(value);
    } catch {
      problems.add(key, "expected JSON (an SST link)");
    }
  }
  return links;
}

function linked<T>(links: SstLinks, name: string, schema: z.ZodType<T>, problems: Problems): T | undefined {
  if (links[name] === undefined) return undefined;
  const parsed = schema.safeParse(links[name]);
  if (parsed.success) return parsed.data;
  problems.add(`${PREFIX}${name}`, `expected SST link JSON with ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"} (${i.message})`).join(", ")}`);
  return undefined;
}

// Optional fields may arrive as null (a `dev` block without them): null counts as absent.
const port = z.coerce.number<number | string>().int().min(1).max(65535).nullish().transform((v) => v ?? undefined);
const optional = z.string().nullish().transform((v) => v ?? undefined);
const secretLink = z.object({ value: z.string() });
const databaseLink = z.object({ host: z.string().min(1), port, username: optional, password: optional, database: optional });
const cacheLink = z.object({ host: z.string().min(1), port, username: optional, password: optional });

/** An `sst.Secret` link, `{"value": "..."}`; an unset secret links as "" and counts as absent. */
export function linkedSecret(links: SstLinks, name: string, problems: Problems): string | undefined {
  return linked(links, name, secretLink, problems)?.value.trim() || undefined;
}

/** The `Database` link (Aurora) as a postgres:// URL with its credentials encoded. */
export function linkedDatabaseUrl(links: SstLinks, problems: Problems): string | undefined {
  const db = linked(links, "Database", databaseLink, problems);
  if (db === undefined) return undefined;
  const user = encodeURIComponent(db.username ?? "postgres");
  const pass = encodeURIComponent(db.password ?? "");
  return `postgres://${user}:${pass}@${db.host}:${db.port ?? 5432}/${db.database ?? "postgres"}`;
}

/** The `Cache` link (ElastiCache) as a Redis URL: TLS unless its host is loopback (cacheLinkUrl). */
export function linkedRedisUrl(links: SstLinks, problems: Problems): string | undefined {
  const cache = linked(links, "Cache", cacheLink, problems);
  return cache && cacheLinkUrl(cache);
}
