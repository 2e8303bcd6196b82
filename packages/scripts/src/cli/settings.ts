import { CONFIG_VARIABLES, ConfigError, loadConfig, parseDuration } from "@llm-proxy/proxy/src/config.js";
import { runtimeSettings, secretSettings } from "../../../../infra/runtime-config.js";
import { UsageError } from "./errors.js";

/**
 * Which per-stage runtime settings `config:set` accepts (the list infra applies at deploy) and
 * whether a value is valid: the proxy's own config schema judges every value; names it does not
 * know (the dispatcher's, judged again by its own schema at start) get the `pendingChecks` below.
 */
export const settingNames = [...Object.keys(runtimeSettings), ...Object.keys(secretSettings)].sort();

/** Settings kept as SecureString: the task definition references them, they never show in clear. */
export const isSecretSetting = (name: string) => secretSettings[name] !== undefined;

const BOOL = ["true", "false", "1", "0", "yes", "no"];

const wholeNumber = (min: number, max: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `expected a whole number from ${min} to ${max}`;

/** Sinks that run on ECS (the file sink needs a volume the tasks do not have). */
const SINKS = ["stdout", "lunary", "helicone", "webhook"];

function httpUrl(v: string): string | undefined {
  try {
    return /^https?:$/.test(new URL(v).protocol) ? undefined : "expected an http(s) URL";
  } catch {
    return "expected an http(s) URL";
  }
}

const duration = (v: string) => (parseDuration(v) !== undefined ? undefined : 'expected a duration such as "30s" or "5m"');

/** Checks for names the proxy's schema does not read yet (skipped once it does); a message means invalid. */
export const pendingChecks: Record<string, (value: string) => string | undefined> = {
  HTTP_CACHE_ENABLED: (v) => (BOOL.includes(v) ? undefined : "expected true or false"),
  HTTP_CACHE_STREAM_RESPONSES: (v) => (BOOL.includes(v) ? undefined : "expected true or false"),
  HTTP_CACHE_DEFAULT_TTL: (v) => (parseDuration(v) !== undefined ? undefined : 'expected a duration such as "300s" or "5m"'),
  HTTP_CACHE_MAX_OBJECT_BYTES: wholeNumber(1, 1_073_741_824),
  TRUSTED_PROXIES: (v) => (/^\d{1,2}$/.test(v) || v.split(",").every((c) => /^[0-9a-f.:]+\/\d{1,3}$/i.test(c.trim())) ? undefined : "expected a hop count such as 1, or comma-separated CIDRs"),
  // The dispatcher's settings (its own schema judges them again at start).
  DISPATCHER_SERVICE: (v) => (SINKS.includes(v) ? undefined : `expected one of ${SINKS.join(", ")}`),
  DISPATCHER_ENDPOINT: httpUrl,
  DISPATCHER_LUNARY_URL: httpUrl,
  DISPATCHER_HELICONE_URL: httpUrl,
  DISPATCHER_WEBHOOK_URL: httpUrl,
  DISPATCHER_BATCH_SIZE: wholeNumber(1, 10_000),
  DISPATCHER_MAX_ATTEMPTS: wholeNumber(1, 1000),
  DISPATCHER_RETRY_BASE: duration,
  DISPATCHER_RETRY_MAX: duration,
  DISPATCHER_HTTP_TIMEOUT: duration,
};

/** Whether the proxy's own schema reads this name (then it alone judges the value). */
export const schemaKnows = (name: string) => CONFIG_VARIABLES.includes(name);

export function checkSettingName(name: string): void {
  if (settingNames.includes(name)) return;
  const hint = /^(MANAGEMENT_TOKEN|ENCRYPTION_KEY|LLM_PROXY_API_KEY|DISPATCHER_WEBHOOK_SECRET)$/.test(name)
    ? " (a secret: use secret:set)"
    : ` (per-stage settings: ${settingNames.join(", ")})`;
  throw new UsageError(`unknown setting ${name}${hint}`);
}

/** Throws a UsageError naming the setting when the value is not one the services accept. */
export function checkSetting(name: string, value: string): void {
  checkSettingName(name);
  if (value === "") throw new UsageError(`${name}: empty value (to go back to the default, use config:unset)`);
  const pending = schemaKnows(name) ? undefined : pendingChecks[name]?.(value);
  if (pending !== undefined) throw new UsageError(`${name}: ${pending}`);
  try {
    // A clean environment plus the one setting: nothing from this shell influences the verdict.
    if (schemaKnows(name)) loadConfig({ [name]: value });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
