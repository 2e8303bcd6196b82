import { z } from "zod";
import { cacheLinkUrl, withRedisPassword } from "@llm-proxy/events/redis-url";

/** What SST links and split-out secrets contribute to the configuration (see docs/dispatcher.md). */
type RedisEnv = { SST_RESOURCE_Cache?: string | undefined; REDIS_URL?: string | undefined; REDIS_ADDR?: string | undefined; REDIS_DB?: number | undefined; REDIS_PASSWORD?: string | undefined };

const sstCacheSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().positive(),
  username: z.string().optional(),
  password: z.string().optional(),
});

/**
 * Secrets that may arrive inside an SST link's JSON (`SST_RESOURCE_<link>` = `{"value": ...}`)
 * instead of as the plain variable; a non-empty link value wins, as in the proxy.
 */
const LINKED_SECRETS = {
  lunary: { link: "LunaryApiKey", variable: "LLM_PROXY_API_KEY" },
  helicone: { link: "HeliconeApiKey", variable: "LLM_PROXY_API_KEY" },
  webhook: { link: "DispatcherWebhookSecret", variable: "DISPATCHER_WEBHOOK_SECRET" },
} as const;

/** The SST Cache link first (as everywhere in the project), then REDIS_URL, then REDIS_ADDR + REDIS_DB. */
export function resolveRedisUrl(e: RedisEnv, problems: string[]): string | undefined {
  const url = redisUrlWithoutSecret(e, problems);
  try {
    return url && withRedisPassword(url, e.REDIS_PASSWORD);
  } catch {
    problems.push("REDIS_URL: not a valid URL");
    return undefined;
  }
}

function redisUrlWithoutSecret(e: RedisEnv, problems: string[]): string | undefined {
  if (e.SST_RESOURCE_Cache) {
    const raw = parseLink(e.SST_RESOURCE_Cache);
    const link = sstCacheSchema.safeParse(raw);
    if (link.success) return cacheLinkUrl(link.data);
    if (raw === undefined) {
      problems.push("SST_RESOURCE_Cache: not JSON");
      return undefined;
    }
    problems.push(`SST_RESOURCE_Cache: ${link.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
    return undefined;
  }
  if (e.REDIS_URL) {
    if (!/^rediss?:\/\//.test(e.REDIS_URL)) problems.push("REDIS_URL: must start with redis:// or rediss://");
    return e.REDIS_URL;
  }
  if (e.REDIS_ADDR) return `redis://${e.REDIS_ADDR}/${e.REDIS_DB ?? 0}`;
  problems.push("Redis is not configured: set REDIS_URL (redis:// or rediss://), REDIS_ADDR, or link the SST Cache");
  return undefined;
}

/** An SST link's JSON; `undefined` (reported by the caller's schema) when it is not JSON. */
function parseLink(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type Secrets = { [S in keyof typeof LINKED_SECRETS]: string | undefined };

export function linkedSecrets(env: NodeJS.ProcessEnv, problems: string[]): Secrets {
  const pick = ({ link, variable }: { link: string; variable: string }): string | undefined => {
    const raw = env[`SST_RESOURCE_${link}`];
    const value: unknown = raw ? (parseLink(raw) as { value?: unknown } | undefined)?.value : undefined;
    if (raw && typeof value !== "string") problems.push(`SST_RESOURCE_${link}: expected SST link JSON {"value": "..."}`);
    return (typeof value === "string" && value.trim()) || env[variable]?.trim() || undefined;
  };
  return { lunary: pick(LINKED_SECRETS.lunary), helicone: pick(LINKED_SECRETS.helicone), webhook: pick(LINKED_SECRETS.webhook) };
}
