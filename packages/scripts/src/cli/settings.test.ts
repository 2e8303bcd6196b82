import { describe, expect, it } from "vitest";
import { runtimeSettings, secretSettings } from "../../../../infra/runtime-config.js";
import { checkSetting, pendingChecks, schemaKnows, settingNames } from "./settings.js";

describe("per-stage settings", () => {
  it("every name infra applies is validated: by the proxy's schema or by a pending check", () => {
    for (const name of settingNames) {
      expect(schemaKnows(name) || pendingChecks[name] !== undefined, name).toBe(true);
      // A secret (METRICS_TOKEN) is any text: nothing to refuse.
      if (secretSettings[name] === undefined) expect(() => checkSetting(name, "?not a valid value?"), name).toThrow(new RegExp(`^${name}: `));
    }
    // Pending checks are only for names infra lists.
    for (const name of Object.keys(pendingChecks)) expect(runtimeSettings[name], name).toBeDefined();
  });

  it.each([
    ["LOG_LEVEL", "debug"], ["LOG_FORMAT", "console"], ["REQUEST_TIMEOUT", "90s"], ["TOKEN_CACHE_TTL", "5m"],
    ["OBSERVABILITY_ENABLED", "false"], ["HTTP_CACHE_ENABLED", "yes"], ["HTTP_CACHE_DEFAULT_TTL", "300"], ["RATE_LIMIT_RPM", "0"], ["RATE_LIMIT_FAIL_MODE", "closed"],
  ])("accepts %s=%s", (name, value) => {
    expect(() => checkSetting(name, value)).not.toThrow();
  });

  it("refuses names infra does not apply, pointing secrets to secret:set", () => {
    expect(() => checkSetting("DATABASE_URL", "postgres://x")).toThrow(/^unknown setting DATABASE_URL \(per-stage settings: /);
    expect(() => checkSetting("ENCRYPTION_KEY", "x")).toThrow("unknown setting ENCRYPTION_KEY (a secret: use secret:set)");
  });
});
