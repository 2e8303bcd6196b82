import { describe, expect, it } from "vitest";
import { platformReady } from "./platform";

// synth() returns when Pulumi's work is done, not after a quiet period: an SST build-time RPC
// answered after 1.5 s (longer than any quiet period a harness would wait) still delays it until
// the image and the task definitions that follow the answer exist.
const ready = platformReady();

describe.runIf(ready)("synth: completion", () => {
  it("waits for a slow SST RPC and every resource created after its answer", { timeout: 120_000 }, async () => {
    const h = await import("./sst-harness");
    await h.synth("staging", { rpcDelayMs: 1500 });
    expect(h.byType("docker-build:index:Image").length).toBeGreaterThan(0);
    expect(h.byType("aws:ecs/taskDefinition:TaskDefinition").map((t) => t.name).sort()).toEqual(["DispatcherTask", "ProxyTask"]);
    expect(h.byType("aws:ecs/service:Service").length).toBe(2);
  });
});
