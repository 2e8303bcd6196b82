import { linkedSecret, type Problems, type SstLinks } from "@llm-proxy/config";

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

/** `plain` holds the parsed variables (trimmed, blank = unset). */
export function linkedSecrets(plain: { LLM_PROXY_API_KEY?: string | undefined; DISPATCHER_WEBHOOK_SECRET?: string | undefined }, links: SstLinks, problems: Problems): Secrets {
  const pick = ({ link, variable }: (typeof LINKED_SECRETS)[keyof typeof LINKED_SECRETS]) => linkedSecret(links, link, problems) ?? plain[variable];
  return { lunary: pick(LINKED_SECRETS.lunary), helicone: pick(LINKED_SECRETS.helicone), webhook: pick(LINKED_SECRETS.webhook) };
}
