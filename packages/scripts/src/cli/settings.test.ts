import { describe, expect, it } from "vitest";
import { runtimeSettings, secretSettings } from "../../../../infra/runtime-config.js";
import { checkSetting, serviceReads, settingNames, stageChecks } from "./settings.js";

describe("per-stage settings", () => {
  it("every name infra applies is read by the config parser of each service that receives it", () => {
    for (const name of settingNames) {
      for (const service of runtimeSettings[name] ?? secretSettings[name] ?? []) expect(serviceReads(service, name), `${service} ${name}`).toBe(true);
      // A secret (METRICS_TOKEN) is any text: nothing to refuse.
      if (secretSettings[name] === undefined) expect(() => checkSetting(name, "?not a valid value?"), name).toThrow(new RegExp(`^${name}: `));
    }
    for (const name of Object.keys(stageChecks)) expect(runtimeSettings[name], name).toBeDefined();
  });

  it.each([
    ["LOG_LEVEL", "debug"], ["LOG_LEVEL", "WARN"], ["LOG_FORMAT", "console"], ["REQUEST_TIMEOUT", "90s"], ["TOKEN_CACHE_TTL", "5m"], ["MAX_REQUEST_SIZE", "10MB"],
    ["OBSERVABILITY_ENABLED", "false"], ["HTTP_CACHE_ENABLED", "yes"], ["HTTP_CACHE_ENABLED", "TRUE"], ["HTTP_CACHE_DEFAULT_TTL", "300"], ["RATE_LIMIT_RPM", "0"], ["RATE_LIMIT_FAIL_MODE", "closed"],
    ["DISPATCHER_SERVICE", "lunary,webhook"], ["DISPATCHER_RETRY_BASE", "500ms"], ["DISPATCHER_HTTP_TIMEOUT", "1m"],
  ])("accepts %s=%s", (name, value) => {
    expect(() => checkSetting(name, value)).not.toThrow();
  });

  it("judges a setting both services read by both parsers, with one meaning", () => {
    expect(() => checkSetting("LOG_LEVEL", "loud")).toThrow(/^LOG_LEVEL: expected one of "trace", .*got "loud"$/);
    // A bare number is seconds for the dispatcher too: 30000 (meant as milliseconds) is refused.
    expect(() => checkSetting("DISPATCHER_HTTP_TIMEOUT", "30000")).toThrow('DISPATCHER_HTTP_TIMEOUT: expected a duration from 1ms to 10m, got "30000" (a bare number is seconds)');
    expect(() => checkSetting("DISPATCHER_SERVICE", "file")).toThrow(/^DISPATCHER_SERVICE: expected one or more of stdout, lunary, helicone, webhook/);
    expect(() => checkSetting("DISPATCHER_ENDPOINT", "/var/log/events.jsonl")).toThrow("DISPATCHER_ENDPOINT: expected an http(s) URL");
  });

  it("refuses names infra does not apply, pointing secrets to secret:set", () => {
    expect(() => checkSetting("DATABASE_URL", "postgres://x")).toThrow(/^unknown setting DATABASE_URL \(per-stage settings: /);
    expect(() => checkSetting("ENCRYPTION_KEY", "x")).toThrow("unknown setting ENCRYPTION_KEY (a secret: use secret:set)");
  });
});
