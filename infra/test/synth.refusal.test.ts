import { describe, expect, it } from "vitest";
import { platformReady } from "./platform";

// `sst deploy --stage prod` without LLM_PROXY_DOMAIN stops before creating anything.
const ready = platformReady();

describe.runIf(ready)("synth: prod without a domain", () => {
  it("refuses to deploy, naming LLM_PROXY_DOMAIN", async () => {
    delete process.env.LLM_PROXY_DOMAIN;
    const h = await import("./sst-harness");
    await expect(h.synth("prod")).rejects.toThrow(/serves HTTPS only: set LLM_PROXY_DOMAIN/);
    expect(h.byType("aws:ecs/taskDefinition:TaskDefinition")).toHaveLength(0);
  });
});
