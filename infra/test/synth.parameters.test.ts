import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parameterPath, runtimeEnvironment } from "../runtime-config";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// `llm-proxy config:set` writes /llm-proxy/<stage>/<NAME>; `sst deploy` reads the path and puts
// listed names into the containers' environment. The harness's mocks answer invokes with their
// inputs, so this suite wraps them to answer the SSM lookup with parameters.
const ready = platformReady();
let h: typeof Harness;
const invoked: Record<string, unknown>[] = [];
const GET_BY_PATH = "aws:ssm/getParametersByPath:getParametersByPath";

const parameters = {
  "/llm-proxy/staging/LOG_LEVEL": "debug",
  "/llm-proxy/staging/RATE_LIMIT_RPM": "600",
  "/llm-proxy/staging/LISTEN_ADDR": ":9999", // not a runtime setting: never applied
};

function answerSsmLookups() {
  const runtime = pulumi.runtime as { setMocks: typeof pulumi.runtime.setMocks };
  const original = runtime.setMocks;
  runtime.setMocks = (mocks, ...rest) =>
    original(
      {
        ...mocks,
        call(args) {
          if (args.token !== GET_BY_PATH) return mocks.call(args);
          invoked.push(args.inputs as Record<string, unknown>);
          return { ...args.inputs, names: Object.keys(parameters), values: Object.values(parameters), types: Object.keys(parameters).map(() => "String") };
        },
      },
      ...rest,
    );
}

describe("runtimeEnvironment", () => {
  it("keeps listed names for the service and drops the rest", () => {
    const names = ["/llm-proxy/prod/LOG_LEVEL", "/llm-proxy/prod/HTTP_CACHE_ENABLED", "/llm-proxy/prod/DATABASE_URL", "/llm-proxy/other/LOG_LEVEL"];
    const values = ["warn", "false", "postgres://x", "trace"];
    expect(runtimeEnvironment("proxy", "prod", names, values)).toEqual({ LOG_LEVEL: "warn", HTTP_CACHE_ENABLED: "false" });
    expect(runtimeEnvironment("dispatcher", "prod", names, values)).toEqual({ LOG_LEVEL: "warn" });
    expect(parameterPath("prod")).toBe("/llm-proxy/prod/");
  });
});

describe.runIf(ready)("synth: SSM runtime settings", () => {
  beforeAll(async () => {
    answerSsmLookups();
    h = await import("./sst-harness");
    await h.synth("staging");
  });

  it("looks the stage's path up at deploy", () => {
    expect(invoked.length).toBeGreaterThanOrEqual(1);
    for (const i of invoked) expect(i).toMatchObject({ path: "/llm-proxy/staging/", withDecryption: true });
  });

  it("puts listed settings into the proxy's and dispatcher's environment, nothing else", () => {
    const proxy = h.env(h.first(h.containers("ProxyTask"), "proxy container"));
    expect(proxy).toMatchObject({ LOG_LEVEL: "debug", RATE_LIMIT_RPM: "600", LISTEN_ADDR: ":8080", LOG_FORMAT: "json" });
    const dispatcher = h.env(h.first(h.containers("DispatcherTask"), "dispatcher container"));
    expect(dispatcher).toMatchObject({ LOG_LEVEL: "debug" });
    expect(dispatcher.RATE_LIMIT_RPM).toBeUndefined();
  });
});
