import { checkVariable } from "@llm-proxy/config";
import { DISPATCHER_VARIABLES, envSchema as dispatcherSchema } from "@llm-proxy/dispatcher/config";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "@llm-proxy/proxy/src/config.js";
import { runtimeSettings, secretSettings, type RuntimeService } from "../../../../infra/runtime-config.js";
import { UsageError } from "./errors.js";

/**
 * Which per-stage runtime settings `config:set` accepts (the list infra applies at deploy) and
 * whether a value is valid: the config parser of every service that receives the setting judges
 * it (@llm-proxy/config underneath both), so the CLI accepts exactly what the services start with.
 */
export const settingNames = [...Object.keys(runtimeSettings), ...Object.keys(secretSettings)].sort();

/** Settings kept as SecureString: the task definition references them, they never show in clear. */
export const isSecretSetting = (name: string) => secretSettings[name] !== undefined;

/** Sinks that run on ECS (the file sink needs a volume the tasks do not have). */
const ECS_SINKS = ["stdout", "lunary", "helicone", "webhook"];

function httpUrl(v: string): string | undefined {
  try {
    return /^https?:$/.test(new URL(v).protocol) ? undefined : "expected an http(s) URL";
  } catch {
    return "expected an http(s) URL";
  }
}

/** What a deployed stage adds to the services' own rules; a message means invalid. */
export const stageChecks: Record<string, (value: string) => string | undefined> = {
  DISPATCHER_SERVICE: (v) =>
    v.split(",").every((s) => ECS_SINKS.includes(s.trim())) ? undefined : `expected one or more of ${ECS_SINKS.join(", ")} (comma-separated; the file sink needs a volume ECS tasks do not have)`,
  // On ECS the one sink's endpoint is a URL, never a file path.
  DISPATCHER_ENDPOINT: httpUrl,
};

/** Whether a service's config parser reads this name. */
export function serviceReads(service: RuntimeService, name: string): boolean {
  return (service === "proxy" ? CONFIG_VARIABLES : DISPATCHER_VARIABLES).includes(name);
}

export function checkSettingName(name: string): void {
  if (settingNames.includes(name)) return;
  const hint = /^(MANAGEMENT_TOKEN|ENCRYPTION_KEY|LLM_PROXY_API_KEY|DISPATCHER_WEBHOOK_SECRET)$/.test(name)
    ? " (a secret: use secret:set)"
    : ` (per-stage settings: ${settingNames.join(", ")})`;
  throw new UsageError(`unknown setting ${name}${hint}`);
}

/** Throws a UsageError naming the setting when a service that receives it would not start with it. */
export function checkSetting(name: string, value: string): void {
  checkSettingName(name);
  if (value === "") throw new UsageError(`${name}: empty value (to go back to the default, use config:unset)`);
  for (const service of runtimeSettings[name] ?? secretSettings[name] ?? []) {
    const problem = service === "proxy" ? proxyVerdict(name, value) : checkVariable(dispatcherSchema, name, value);
    if (problem !== undefined) throw new UsageError(problem);
  }
  const extra = stageChecks[name]?.(value);
  if (extra !== undefined) throw new UsageError(`${name}: ${extra}`);
}

/** A clean environment plus the one setting: nothing from this shell influences the verdict. */
function proxyVerdict(name: string, value: string): string | undefined {
  try {
    loadConfig({ [name]: value });
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}
