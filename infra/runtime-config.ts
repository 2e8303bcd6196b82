/**
 * Per-stage runtime settings kept in SSM Parameter Store as `/llm-proxy/<stage>/<NAME>` (set with
 * `llm-proxy config:set`) and read at `sst deploy` into the services' container environment.
 * Pure data: the CLI validates names against this list (and values against the proxy's config
 * schema), so a name missing here can't be set and a parameter nobody listed is never applied.
 */

export type RuntimeService = "proxy" | "dispatcher";

/** Setting name → the services whose environment receives it. */
export const runtimeSettings: Record<string, readonly RuntimeService[]> = {
  LOG_LEVEL: ["proxy", "dispatcher"],
  LOG_FORMAT: ["proxy"],
  REQUEST_TIMEOUT: ["proxy"],
  STREAM_IDLE_TIMEOUT: ["proxy"],
  MAX_REQUEST_SIZE: ["proxy"],
  TOKEN_CACHE_TTL: ["proxy"],
  TOKEN_CACHE_MAX: ["proxy"],
  LLM_PROXY_ACTIVE_CACHE_TTL: ["proxy"],
  LLM_PROXY_ENFORCE_PROJECT_ACTIVE: ["proxy"],
  CIRCUIT_BREAKER_THRESHOLD: ["proxy"],
  CIRCUIT_BREAKER_COOLDOWN: ["proxy"],
  OBSERVABILITY_ENABLED: ["proxy"],
  OBSERVABILITY_BUFFER_SIZE: ["proxy"],
  ENABLE_METRICS: ["proxy"],
  MANAGEMENT_MAX_BODY_BYTES: ["proxy"],
  RATE_LIMIT_RPM: ["proxy"],
  RATE_LIMIT_FAIL_MODE: ["proxy"],
  // Response cache.
  HTTP_CACHE_ENABLED: ["proxy"],
  HTTP_CACHE_DEFAULT_TTL: ["proxy"],
  HTTP_CACHE_MAX_OBJECT_BYTES: ["proxy"],
  HTTP_CACHE_STREAM_RESPONSES: ["proxy"],
  // The ALB is one hop; a CDN in front of it adds one (set 2, or its CIDRs).
  TRUSTED_PROXIES: ["proxy"],
  // Dispatcher sinks (default stdout: events go to the task's CloudWatch log group). Their keys
  // are secrets: LunaryApiKey / HeliconeApiKey / DispatcherWebhookSecret with `sst secret set`.
  DISPATCHER_SERVICE: ["dispatcher"],
  DISPATCHER_ENDPOINT: ["dispatcher"],
  DISPATCHER_LUNARY_URL: ["dispatcher"],
  DISPATCHER_HELICONE_URL: ["dispatcher"],
  DISPATCHER_WEBHOOK_URL: ["dispatcher"],
  DISPATCHER_BATCH_SIZE: ["dispatcher"],
  DISPATCHER_MAX_ATTEMPTS: ["dispatcher"],
  DISPATCHER_RETRY_BASE: ["dispatcher"],
  DISPATCHER_RETRY_MAX: ["dispatcher"],
  DISPATCHER_HTTP_TIMEOUT: ["dispatcher"],
};

/**
 * Secret settings: `config:set` stores them as SecureString and the task definition references
 * the parameter (ECS `secrets`), so the value never appears in its environment.
 */
export const secretSettings: Record<string, readonly RuntimeService[]> = {
  METRICS_TOKEN: ["proxy"],
};

/** Where a stage's settings live in Parameter Store (trailing slash included). */
export const parameterPath = (stage: string) => `/llm-proxy/${stage}/`;

/**
 * The environment a service gets from the stage's parameters: listed names for that service
 * only, so a stray parameter can't override LISTEN_ADDR or DATABASE_URL.
 */
export function runtimeEnvironment(service: RuntimeService, stage: string, names: readonly string[], values: readonly string[]): Record<string, string> {
  const prefix = parameterPath(stage);
  const env: Record<string, string> = {};
  names.forEach((full, i) => {
    const name = full.startsWith(prefix) ? full.slice(prefix.length) : undefined;
    const value = values[i];
    if (name === undefined || value === undefined) return;
    if (runtimeSettings[name]?.includes(service)) env[name] = value;
  });
  return env;
}

/**
 * ECS `secrets` for a service from its stage's SecureString parameters (full names): listed
 * names only, each referenced by the ARN `arn` builds, never by value.
 */
export function runtimeSecrets(service: RuntimeService, stage: string, secureNames: readonly string[], arn: (fullName: string) => string): Record<string, string> {
  const prefix = parameterPath(stage);
  const secrets: Record<string, string> = {};
  for (const full of secureNames) {
    const name = full.startsWith(prefix) ? full.slice(prefix.length) : undefined;
    if (name === undefined) continue;
    if (secretSettings[name]?.includes(service) || runtimeSettings[name]?.includes(service)) secrets[name] = arn(full);
  }
  return secrets;
}
