import { beforeAll, describe, expect, it } from "vitest";
import { parameterPath, runtimeEnvironment, runtimeSecrets } from "../runtime-config";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// `llm-proxy config:set` writes /llm-proxy/<stage>/<NAME>; `sst deploy` reads the path and puts
// listed names into the containers' environment (String) or their ECS secrets (SecureString).
const ready = platformReady();
let h: typeof Harness;

describe("runtimeEnvironment / runtimeSecrets", () => {
  it("keeps listed names for the service and drops the rest", () => {
    const names = ["/llm-proxy/prod/LOG_LEVEL", "/llm-proxy/prod/HTTP_CACHE_ENABLED", "/llm-proxy/prod/DATABASE_URL", "/llm-proxy/other/LOG_LEVEL", "/llm-proxy/prod/DISPATCHER_SERVICE"];
    const values = ["warn", "false", "postgres://x", "trace", "lunary"];
    expect(runtimeEnvironment("proxy", "prod", names, values)).toEqual({ LOG_LEVEL: "warn", HTTP_CACHE_ENABLED: "false" });
    expect(runtimeEnvironment("dispatcher", "prod", names, values)).toEqual({ LOG_LEVEL: "warn", DISPATCHER_SERVICE: "lunary" });
    expect(parameterPath("prod")).toBe("/llm-proxy/prod/");
  });

  it("never puts a secret setting into the environment, even stored as a String", () => {
    expect(runtimeEnvironment("proxy", "prod", ["/llm-proxy/prod/METRICS_TOKEN"], ["plain"])).toEqual({});
    const arn = (n: string) => `arn:${n}`;
    expect(runtimeSecrets("proxy", "prod", ["/llm-proxy/prod/METRICS_TOKEN", "/llm-proxy/prod/DATABASE_URL"], arn)).toEqual({ METRICS_TOKEN: "arn:/llm-proxy/prod/METRICS_TOKEN" });
    expect(runtimeSecrets("dispatcher", "prod", ["/llm-proxy/prod/METRICS_TOKEN"], arn)).toEqual({});
  });
});

describe.runIf(ready)("synth: SSM runtime settings", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    await h.synth("staging", {
      parameters: {
        "/llm-proxy/staging/LOG_LEVEL": { value: "debug", type: "String" },
        "/llm-proxy/staging/RATE_LIMIT_RPM": { value: "600", type: "String" },
        "/llm-proxy/staging/LISTEN_ADDR": { value: ":9999", type: "String" }, // not a runtime setting: never applied
        "/llm-proxy/staging/DISPATCHER_SERVICE": { value: "webhook", type: "String" },
        "/llm-proxy/staging/DISPATCHER_WEBHOOK_URL": { value: "https://hooks.example.com/llm", type: "String" },
        "/llm-proxy/staging/METRICS_TOKEN": { value: "metrics-token-standin", type: "SecureString" },
      },
      secrets: { DispatcherWebhookSecret: "webhook-secret-standin" },
    });
  });

  it("looks the stage's path up at deploy, without decrypting", () => {
    expect(h.ssmLookups.length).toBeGreaterThanOrEqual(1);
    // Never decrypted at deploy: SecureStrings are referenced, not copied.
    for (const i of h.ssmLookups) expect(i).toMatchObject({ path: "/llm-proxy/staging/", withDecryption: false });
  });

  it("puts listed settings into each service's environment, nothing else", () => {
    const proxy = h.first(h.containers("ProxyTask"), "proxy container");
    expect(h.env(proxy)).toMatchObject({ LOG_LEVEL: "debug", RATE_LIMIT_RPM: "600", LISTEN_ADDR: ":8080", LOG_FORMAT: "json" });
    expect(h.env(proxy).METRICS_TOKEN).toBeUndefined();
    expect(h.secrets(proxy).METRICS_TOKEN).toBe("arn:aws:ssm:us-east-1:123456789012:parameter/llm-proxy/staging/METRICS_TOKEN");
    const dispatcher = h.first(h.containers("DispatcherTask"), "dispatcher container");
    expect(h.env(dispatcher)).toMatchObject({ LOG_LEVEL: "debug", DISPATCHER_SERVICE: "webhook", DISPATCHER_WEBHOOK_URL: "https://hooks.example.com/llm" });
    expect(h.env(dispatcher).RATE_LIMIT_RPM).toBeUndefined();
    expect(h.secrets(dispatcher)).toEqual({
      REDIS_PASSWORD: "arn:aws:mock:us-east-1:123456789012:TaskSecrets:REDIS_PASSWORD::",
      DISPATCHER_WEBHOOK_SECRET: "arn:aws:mock:us-east-1:123456789012:TaskSecrets:DISPATCHER_WEBHOOK_SECRET::",
    });
  });
});
