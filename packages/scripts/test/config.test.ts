import { describe, expect, it } from "vitest";
import { fakeSsm } from "./fake-ssm.js";
import { cli } from "./helpers.js";

// The region comes from infra/stage.ts only (us-east-1 by default); AWS_REGION is ignored.
const env = { AWS_REGION: "eu-central-1" };

describe("config:* against an injected SSM client", () => {
  it("sets, gets, lists and unsets under /llm-proxy/<stage>/", async () => {
    const ssm = fakeSsm();
    const set = await cli(["config", "set", "LOG_LEVEL", "debug", "--stage", "staging"], { env, ssm: ssm.factory });
    expect(set).toMatchObject({ code: 0, stdout: "/llm-proxy/staging/LOG_LEVEL = debug\n" });
    expect(ssm.params.get("/llm-proxy/staging/LOG_LEVEL")).toEqual({ value: "debug", type: "String" });
    expect(ssm.regions).toEqual(["us-east-1"]);

    await cli(["config:set", "RATE_LIMIT_RPM", "600", "--stage", "staging"], { env, ssm: ssm.factory });
    await cli(["config:set", "LOG_LEVEL", "warn", "--stage", "prod"], { env, ssm: ssm.factory });

    expect(await cli(["config", "get", "LOG_LEVEL", "--stage", "staging"], { env, ssm: ssm.factory })).toMatchObject({ code: 0, stdout: "debug\n" });
    const list = await cli(["config", "list", "--stage", "staging", "--json"], { env, ssm: ssm.factory });
    expect(JSON.parse(list.stdout)).toEqual([
      { name: "LOG_LEVEL", value: "debug", modified: "2026-01-01T00:00:00.000Z", path: "/llm-proxy/staging/LOG_LEVEL", applied: true },
      { name: "RATE_LIMIT_RPM", value: "600", modified: "2026-01-01T00:00:00.000Z", path: "/llm-proxy/staging/RATE_LIMIT_RPM", applied: true },
    ]);
    const table = await cli(["config", "list", "--stage", "staging"], { env, ssm: ssm.factory });
    expect(table.stdout).toMatch(/^NAME\s+VALUE\s+MODIFIED\s+NOTE\nLOG_LEVEL\s+debug/);

    expect((await cli(["config", "unset", "LOG_LEVEL", "--stage", "staging"], { env, ssm: ssm.factory })).stdout).toBe("removed /llm-proxy/staging/LOG_LEVEL\n");
    const missing = await cli(["config", "get", "LOG_LEVEL", "--stage", "staging"], { env, ssm: ssm.factory });
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toBe("llm-proxy: LOG_LEVEL is not set for stage staging (the service default applies)\n");
    expect(ssm.params.get("/llm-proxy/prod/LOG_LEVEL")?.value).toBe("warn");
  });

  it.each([
    [["FOO", "1"], /^llm-proxy: unknown setting FOO \(per-stage settings: .*LOG_LEVEL.*\)\n$/],
    [["MANAGEMENT_TOKEN", "x".repeat(20)], /^llm-proxy: unknown setting MANAGEMENT_TOKEN \(a secret: use secret:set\)\n$/],
    [["LISTEN_ADDR", ":9000"], /^llm-proxy: unknown setting LISTEN_ADDR/],
    [["LOG_LEVEL", "loud"], /^llm-proxy: LOG_LEVEL: .*"debug".*\n$/],
    [["REQUEST_TIMEOUT", "soon"], /^llm-proxy: REQUEST_TIMEOUT: expected a duration/],
    [["OBSERVABILITY_ENABLED", "maybe"], /^llm-proxy: OBSERVABILITY_ENABLED: expected true or false \(also 1\/0, t\/f, yes\/no, in any case\), got "maybe"\n$/],
    [["TOKEN_CACHE_MAX", "0"], /^llm-proxy: TOKEN_CACHE_MAX: expected a whole number of at least 1, got "0"\n$/],
    [["RATE_LIMIT_RPM", "5.5"], /^llm-proxy: RATE_LIMIT_RPM: expected a whole number from 0 to 1000000, got "5.5"\n$/],
    [["HTTP_CACHE_ENABLED", "on"], /^llm-proxy: HTTP_CACHE_ENABLED: expected true or false \(also 1\/0, t\/f, yes\/no, in any case\), got "on"\n$/],
    [["LOG_LEVEL", ""], /^llm-proxy: missing <value> for LOG_LEVEL\n$/],
    [["DISPATCHER_SERVICE", "file"], /^llm-proxy: DISPATCHER_SERVICE: expected one or more of stdout, lunary, helicone, webhook \(comma-separated; the file sink needs a volume ECS tasks do not have\)\n$/],
    [["DISPATCHER_WEBHOOK_URL", "ftp://x"], /^llm-proxy: DISPATCHER_WEBHOOK_URL: expected an http\(s\) URL\n$/],
    [["DISPATCHER_RETRY_MAX", "later"], /^llm-proxy: DISPATCHER_RETRY_MAX: expected a duration/],
    [["TRUSTED_PROXIES", "all"], /^llm-proxy: TRUSTED_PROXIES: /], // the proxy schema judges it once it reads it
    [["LLM_PROXY_API_KEY", "k".repeat(20)], /^llm-proxy: unknown setting LLM_PROXY_API_KEY \(a secret: use secret:set\)\n$/],
  ])("refuses %j before touching SSM (exit 2)", async (argv, message) => {
    const ssm = fakeSsm();
    const r = await cli(["config", "set", ...argv, "--stage", "prod"], { env, ssm: ssm.factory });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(ssm.sent).toHaveLength(0);
  });

  it("needs a stage, and says how to pass one", async () => {
    const r = await cli(["config", "list"], { env, ssm: fakeSsm().factory });
    expect(r).toMatchObject({ code: 2, stderr: "llm-proxy: --stage is required (e.g. --stage prod)\n" });
  });

  it("sets the dispatcher's sink and TRUSTED_PROXIES as plain settings, METRICS_TOKEN as a SecureString never shown", async () => {
    const ssm = fakeSsm();
    for (const [name, value] of [["DISPATCHER_SERVICE", "lunary"], ["DISPATCHER_LUNARY_URL", "https://api.lunary.ai"], ["TRUSTED_PROXIES", "2"]]) {
      expect((await cli(["config", "set", name ?? "", value ?? "", "--stage", "prod"], { env, ssm: ssm.factory })).code).toBe(0);
    }
    const token = "metrics-token-0123456789";
    const set = await cli(["config", "set", "METRICS_TOKEN", token, "--stage", "prod"], { env, ssm: ssm.factory });
    expect(set).toMatchObject({ code: 0, stdout: "/llm-proxy/prod/METRICS_TOKEN = (secret: SecureString)\n" });
    expect(ssm.params.get("/llm-proxy/prod/METRICS_TOKEN")).toEqual({ value: token, type: "SecureString" });
    expect(ssm.params.get("/llm-proxy/prod/DISPATCHER_SERVICE")).toEqual({ value: "lunary", type: "String" });
    const list = await cli(["config", "list", "--stage", "prod"], { env, ssm: ssm.factory });
    expect(list.stdout).toMatch(/METRICS_TOKEN\s+\(secret\)/);
    expect(list.stdout).not.toContain(token);
    expect((await cli(["config", "get", "METRICS_TOKEN", "--stage", "prod"], { env, ssm: ssm.factory })).stdout).toBe("(secret)\n");
  });

  it("takes the stage's region from infra/stage.ts, the one place sst deploy reads it", async () => {
    const ssm = fakeSsm();
    await cli(["config", "list", "--stage", "prod"], { env: {}, ssm: ssm.factory });
    expect(ssm.regions).toEqual(["us-east-1"]);
  });

  it("turns AWS errors into one line", async () => {
    const failing = () => ({ send: async () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })) });
    const r = await cli(["config", "set", "LOG_LEVEL", "info", "--stage", "prod"], { env, ssm: failing });
    expect(r).toMatchObject({ code: 1, stderr: "llm-proxy: AWS SSM: CredentialsProviderError: Could not load credentials from any providers\n" });
  });
});
