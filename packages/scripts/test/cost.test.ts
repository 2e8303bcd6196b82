import { describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

describe("llm-proxy cost", () => {
  it("needs --stage (or LLM_PROXY_STAGE) instead of silently pricing prod", async () => {
    const r = await cli(["cost"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--stage is required/);
    expect(r.stdout).toBe("");
  });

  it("prices the stage it is given, by flag or by LLM_PROXY_STAGE", async () => {
    const flag = await cli(["cost", "--stage", "staging", "--json"]);
    expect(flag.code).toBe(0);
    expect(JSON.parse(flag.stdout)).toMatchObject({ stage: "staging", total: expect.any(Number) });
    const env = await cli(["cost", "--json"], { env: { LLM_PROXY_STAGE: "prod" } });
    expect(JSON.parse(env.stdout)).toMatchObject({ stage: "prod" });
  });
});
