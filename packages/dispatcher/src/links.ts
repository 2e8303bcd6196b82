import { linkedSecret, type Env, type Problems, type SstLinks } from "@llm-proxy/config";

/**
 * Secrets that may arrive inside an SST link's JSON (`SST_RESOURCE_<link>` = `{"value": ...}`)
 * instead of as the plain variable; a non-empty link value wins, as in the proxy.
 */
const LINKED_SECRETS = {
  lunary: { link: "LunaryApiKey", variable: "LLM_PROXY_API_KEY" },
  helicone: { link: "HeliconeApiKey", variable: "LLM_PROXY_API_KEY" },
  webhook: { link: "DispatcherWebhookSecret", variable: "DISPATCHER_WEBHOOK_SECRET" },
} as const;

export type Secrets = { [S in keyof typeof LINKED_SECRETS]: string | undefined };

export function linkedSecrets(env: Env, links: SstLinks, problems: Problems): Secrets {
  const pick = ({ link, variable }: { link: string; variable: string }) => linkedSecret(links, link, problems) ?? (env[variable]?.trim() || undefined);
  return { lunary: pick(LINKED_SECRETS.lunary), helicone: pick(LINKED_SECRETS.helicone), webhook: pick(LINKED_SECRETS.webhook) };
}
