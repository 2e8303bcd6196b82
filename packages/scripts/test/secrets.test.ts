import { statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeSsm } from "./fake-ssm.js";
import { fakeSst } from "./fake-sst.js";
import { cli, tempDir } from "./helpers.js";

let sst: Awaited<ReturnType<typeof fakeSst>>;
beforeEach(async () => {
  sst = await fakeSst();
});

/** No call carried a secret in argv, and the CLI printed none. */
async function expectNoLeak(values: string[], output: string) {
  for (const call of await sst.calls()) for (const v of values) expect(call.argv.join(" ")).not.toContain(v);
  for (const v of values) expect(output).not.toContain(v);
}

describe("setup against a stand-in sst", () => {
  it("non-interactive: generates the token and key, sets sink keys from env and settings into SSM", async () => {
    const ssm = fakeSsm();
    const env = { ...sst.env, LUNARY_API_KEY: "lunary-secret-value-123", AWS_REGION: "us-east-1" };
    const r = await cli(["setup", "--stage", "prod", "--yes", "--config", "LOG_LEVEL=warn", "--config", "HTTP_CACHE_ENABLED=true"], { env, ssm: ssm.factory });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const calls = await sst.calls();
    expect(calls.map((c) => c.argv)).toEqual([
      ["secret", "list", "--stage", "prod"],
      ["secret", "set", "ManagementToken", "--stage", "prod"],
      ["secret", "set", "EncryptionKey", "--stage", "prod"],
      ["secret", "set", "LunaryApiKey", "--stage", "prod"],
    ]);
    expect(new Set(calls.map((c) => c.cwd))).toEqual(new Set([path.resolve(import.meta.dirname, "../../..")]));
    const stored = await sst.secrets("prod");
    expect(stored.ManagementToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(stored.EncryptionKey ?? "", "base64")).toHaveLength(32);
    expect(stored.LunaryApiKey).toBe("lunary-secret-value-123");
    expect(stored.HeliconeApiKey).toBeUndefined();
    await expectNoLeak(Object.values(stored), r.stdout + r.stderr);

    expect([...ssm.params]).toEqual([
      ["/llm-proxy/prod/LOG_LEVEL", { value: "warn", type: "String" }],
      ["/llm-proxy/prod/HTTP_CACHE_ENABLED", { value: "true", type: "String" }],
    ]);
    expect(r.stdout).toContain("npx sst deploy --stage prod");
    expect(r.stdout).toContain("secret get ManagementToken --stage prod --reveal");
  });

  it("run again: keeps the existing token and, always, the encryption key", async () => {
    await sst.seed("prod", { ManagementToken: "existing-token-0123456789", EncryptionKey: Buffer.alloc(32, 1).toString("base64") });
    const r = await cli(["setup", "--stage", "prod", "--yes", "--skip-sinks"], { env: sst.env });
    expect(r.code).toBe(0);
    expect((await sst.calls()).map((c) => c.argv[1])).toEqual(["list"]);
    expect(r.stdout).toMatch(/secret ManagementToken: kept\nsecret EncryptionKey: kept/);

    await sst.reset();
    const rotated = await cli(["setup", "--stage", "prod", "--yes", "--skip-sinks", "--rotate-management-token"], { env: sst.env });
    expect(rotated.code).toBe(0);
    expect((await sst.calls()).map((c) => c.argv.slice(1, 3).join(" "))).toEqual(["list --stage", "set ManagementToken"]);
    expect((await sst.secrets("prod")).ManagementToken).not.toBe("existing-token-0123456789");
    expect((await sst.secrets("prod")).EncryptionKey).toBe(Buffer.alloc(32, 1).toString("base64"));
  });

  it("checks Parameter Store is reachable before setting any secret", async () => {
    const failing = () => ({ send: async () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })) });
    const r = await cli(["setup", "--stage", "prod", "--yes", "--config", "LOG_LEVEL=warn"], { env: { ...sst.env, AWS_REGION: "us-east-1" }, ssm: failing });
    expect(r).toMatchObject({ code: 1, stderr: "llm-proxy: AWS SSM: CredentialsProviderError: Could not load credentials from any providers\n" });
    expect((await sst.calls()).map((c) => c.argv[1])).toEqual(["list"]);
  });

  it("validates every --config before changing anything", async () => {
    const r = await cli(["setup", "--stage", "prod", "--yes", "--config", "LOG_LEVEL=loud"], { env: sst.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llm-proxy: LOG_LEVEL: .*\n$/);
    expect(await sst.calls()).toEqual([]);
  });

  it("at a terminal, the wizard asks; answers come line by line", async () => {
    const ssm = fakeSsm();
    // settings (LOG_LEVEL, HTTP_CACHE_ENABLED, RATE_LIMIT_RPM), then the two sink keys.
    const answers = ["debug", "", "120", "", "helicone-secret-456"];
    const r = await cli(["setup", "--stage", "dev"], { env: { ...sst.env, AWS_REGION: "us-east-1" }, answers, ssm: ssm.factory });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Lunary API key (optional; Enter to skip): ");
    expect((await sst.secrets("dev")).HeliconeApiKey).toBe("helicone-secret-456");
    expect([...ssm.params.keys()]).toEqual(["/llm-proxy/dev/LOG_LEVEL", "/llm-proxy/dev/RATE_LIMIT_RPM"]);
    await expectNoLeak(Object.values(await sst.secrets("dev")), r.stdout + r.stderr);
  });

  it("--local writes a 0600 .env and refuses to replace it", async () => {
    const dir = await tempDir("setup-local-");
    const r = await cli(["setup", "--local", "--config", "LOG_FORMAT=console"], { cwd: dir, env: sst.env });
    expect(r.code).toBe(0);
    const file = path.join(dir, ".env");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = await fs.readFile(file, "utf8");
    const token = /^MANAGEMENT_TOKEN=(.+)$/m.exec(text)?.[1] ?? "";
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(Buffer.from(/^ENCRYPTION_KEY=(.+)$/m.exec(text)?.[1] ?? "", "base64")).toHaveLength(32);
    expect(text).toContain("LOG_FORMAT=console\n");
    expect(r.stdout).not.toContain(token);
    expect(await sst.calls()).toEqual([]);

    const again = await cli(["setup", "--local"], { cwd: dir, env: sst.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/\.env exists: .*--force/);
    expect(await fs.readFile(file, "utf8")).toBe(text);
  });
});

describe("secret:* against a stand-in sst", () => {
  it("set passes the value on stdin only; get and list hide it unless --reveal", async () => {
    const value = "piped-lunary-key-0987654321";
    const set = await cli(["secret", "set", "LunaryApiKey", "--stage", "staging"], { env: sst.env, stdin: value });
    expect(set).toMatchObject({ code: 0, stdout: "set LunaryApiKey for stage staging\n" });
    const calls = await sst.calls();
    expect(calls[0]).toMatchObject({ argv: ["secret", "set", "LunaryApiKey", "--stage", "staging"], stdin: value });

    const gen = await cli(["secret", "set", "ManagementToken", "--generate", "--stage", "staging"], { env: sst.env });
    expect(gen.code).toBe(0);
    const stored = await sst.secrets("staging");
    await expectNoLeak([value, stored.ManagementToken ?? "missing"], set.stdout + gen.stdout + gen.stderr);

    const get = await cli(["secret", "get", "LunaryApiKey", "--stage", "staging"], { env: sst.env });
    expect(get).toMatchObject({ code: 0, stdout: `LunaryApiKey: set (${value.length} characters)\n` });
    expect((await cli(["secret", "get", "LunaryApiKey", "--stage", "staging", "--reveal"], { env: sst.env })).stdout).toBe(`${value}\n`);

    const list = await cli(["secret", "list", "--stage", "staging", "--json"], { env: sst.env });
    expect(JSON.parse(list.stdout)).toEqual([
      { name: "ManagementToken", set: true, length: 43 },
      { name: "EncryptionKey", set: false },
      { name: "LunaryApiKey", set: true, length: value.length },
      { name: "HeliconeApiKey", set: false },
      { name: "DispatcherWebhookSecret", set: false },
    ]);
    expect(list.stdout).not.toContain(value);
    const table = await cli(["secret", "list", "--stage", "staging"], { env: sst.env });
    expect(table.stdout).toMatch(/EncryptionKey\s+not set/);
    expect(table.stdout).not.toContain(value);
    expect((await cli(["secret", "list", "--stage", "staging", "--json", "--reveal"], { env: sst.env })).stdout).toContain(value);

    expect((await cli(["secret", "remove", "LunaryApiKey", "--stage", "staging"], { env: sst.env })).code).toBe(0);
    const gone = await cli(["secret", "get", "LunaryApiKey", "--stage", "staging"], { env: sst.env });
    expect(gone).toMatchObject({ code: 1, stderr: "llm-proxy: LunaryApiKey is not set for stage staging (set it with: llm-proxy secret set LunaryApiKey --stage staging)\n" });
  });

  it.each([
    [["secret", "set", "Nope", "--stage", "x"], 2, /^llm-proxy: unknown secret Nope \(infra\/secrets.ts declares ManagementToken, EncryptionKey, LunaryApiKey, HeliconeApiKey, DispatcherWebhookSecret\)\n$/],
    [["secret", "set", "EncryptionKey", "--stage", "x"], 2, /^llm-proxy: EncryptionKey: expected base64 of exactly 32 bytes/],
    [["secret", "set", "ManagementToken", "--stage", "x"], 2, /^llm-proxy: ManagementToken: expected at least 16 characters\n$/],
    [["secret", "set", "LunaryApiKey", "--generate", "--stage", "x"], 2, /^llm-proxy: --generate: LunaryApiKey is a key you get from its provider/],
    [["secret", "list"], 2, /^llm-proxy: --stage is required/],
  ])("refuses %j", async (argv, code, message) => {
    const r = await cli(argv, { env: sst.env, stdin: "short" });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect((await sst.calls()).filter((c) => c.argv[1] === "set")).toEqual([]);
  });

  it("reports an sst failure in one line", async () => {
    const r = await cli(["secret", "list", "--stage", "prod"], { env: { ...sst.env, FAKE_SST_FAIL: "could not load AWS credentials" } });
    expect(r).toMatchObject({ code: 1, stderr: "llm-proxy: sst secret list failed (sst exit 1): Error: could not load AWS credentials\n" });
  });
});
