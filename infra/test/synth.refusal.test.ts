import { describe, expect, it } from "vitest";
import { platformReady } from "./platform";

// Deploys that must stop before anything reaches AWS.
const ready = platformReady();

describe.runIf(ready)("synth: refused deploys", () => {
  it("prod without a domain: refuses, naming LLM_PROXY_DOMAIN", async () => {
    delete process.env.LLM_PROXY_DOMAIN;
    const h = await import("./sst-harness");
    await expect(h.synth("prod")).rejects.toThrow(/serves HTTPS only: set LLM_PROXY_DOMAIN/);
    expect(h.byType("aws:ecs/taskDefinition:TaskDefinition")).toHaveLength(0);
  });

  it("a STREAM_IDLE_TIMEOUT setting beyond the ALB's idle timeout: the proxy task is never defined", async () => {
    const h = await import("./sst-harness");
    const failures: unknown[] = [];
    const onRejection = (err: unknown) => failures.push(err);
    process.on("unhandledRejection", onRejection);
    try {
      await h.synth("staging", { parameters: { "/llm-proxy/staging/STREAM_IDLE_TIMEOUT": { value: "10m", type: "String" } } }).catch((err: unknown) => failures.push(err));
      await h.settle();
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    expect(String(failures[0])).toMatch(/STREAM_IDLE_TIMEOUT \(10m\) is longer than the load balancer's idle timeout \(300 s\)/);
    expect(h.byType("aws:ecs/taskDefinition:TaskDefinition").map((t) => t.name)).not.toContain("ProxyTask");
  });
});
