import { beforeAll, describe, expect, it } from "vitest";
import { autodeployStage, type DeployEvent } from "../stage";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// staging at its preset: the design's topology, no domain (HTTP only).
const ready = platformReady();
let h: typeof Harness;
let target: ((event: DeployEvent) => { stage: string | string[] } | undefined) | undefined;

describe.runIf(ready)("synth: staging", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    const { app, config } = await h.synth("staging");
    target = config.console?.autodeploy?.target;
    expect(app).toMatchObject({ removal: "remove", protect: false });
  });

  it("serves the API over HTTP without a domain, and no admin UI (its sign-in would travel in clear)", () => {
    const listeners = h.byType("aws:lb/listener:Listener").map((l) => l.inputs as { port: number; protocol: string; defaultActions: { type: string }[] });
    expect(listeners.map((l) => [l.port, l.protocol, l.defaultActions[0]?.type]).sort()).toEqual([[80, "HTTP", "forward"]]);
    expect(h.byType("aws:acm/certificate:Certificate")).toHaveLength(0);
    const env = h.env(h.first(h.containers("ProxyTask")));
    expect(env.ADMIN_UI_ENABLED).toBe("false");
    expect(env.ADMIN_UI_SECURE_COOKIES).toBeUndefined();
    expect(h.byType("aws:lb/targetGroup:TargetGroup").map((t) => t.inputs.port)).toEqual([8080]);
  });

  it("starts the dispatcher with the stdout sink and no sink secrets when nothing is configured", () => {
    const dispatcher = h.first(h.containers("DispatcherTask"));
    expect(h.env(dispatcher).DISPATCHER_SERVICE).toBe("stdout");
    expect(Object.keys(h.secrets(dispatcher))).toEqual(["REDIS_PASSWORD"]);
    expect(h.one("aws:lb/loadBalancer:LoadBalancer", "ProxyLoadBalancer").inputs.idleTimeout).toBe(300);
  });

  it("keeps prod's shape but not its protection", () => {
    expect(h.one("aws:rds/cluster:Cluster", "DatabaseCluster").inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true, serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 } });
    expect(h.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    expect(h.byType("aws:sns/topicSubscription:TopicSubscription")).toHaveLength(0);
    expect(h.containers("ProxyTask").map((c) => c.name)).toEqual(["proxy"]);
  });

  it("console.autodeploy applies the same rules as deploy.yml (autodeployStage)", () => {
    const events: DeployEvent[] = [
      { type: "tag", action: "pushed", tag: "v1.0.0-stable" }, { type: "tag", action: "pushed", tag: "v1.0.0" },
      { type: "branch", action: "pushed", branch: "main" }, { type: "branch", action: "removed", branch: "main" },
      { type: "branch", action: "pushed", branch: "dev" }, { type: "pull_request", action: "pushed", number: 1 },
    ];
    for (const enabled of [true, false]) {
      process.env.DEPLOY_STAGING = String(enabled);
      for (const e of events) expect(target?.(e)?.stage, JSON.stringify(e)).toBe(autodeployStage(e, enabled));
    }
    delete process.env.DEPLOY_STAGING;
  });
});
