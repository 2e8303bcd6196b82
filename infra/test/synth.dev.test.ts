import { beforeAll, describe, expect, it } from "vitest";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// `sst dev --stage alice`: the services run locally against the stage's real Aurora and Redis,
// which the VPC's bastion makes reachable (`sst tunnel`).
const ready = platformReady();
let h: typeof Harness;
let outputs: Record<string, unknown> | undefined;

describe.runIf(ready)("synth: sst dev", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    ({ outputs } = await h.synth("alice", { dev: true }));
  });

  it("deploys Aurora (0 ACU minimum, auto-pause) and Redis for real, but no ECS service, ALB or alarms", () => {
    for (const type of ["aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:secretsmanager/secret:Secret"]) {
      const found = h.byType(type).filter((r) => !r.name.endsWith("ProxySecret"));
      expect(found, type).toHaveLength(0);
    }
    expect(h.one("aws:rds/cluster:Cluster", "DatabaseCluster").inputs).toMatchObject({ serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 300 } });
    expect(h.byType("aws:elasticache/replicationGroup:ReplicationGroup")).toHaveLength(1);
  });

  it("gives the VPC a bastion that `sst tunnel` uses, allowed into Aurora and Redis", async () => {
    expect(h.byType("aws:ec2/instance:Instance").map((i) => i.name)).toEqual(["VpcBastionInstance"]);
    const rules = h.byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [r.name, r.inputs.fromPort, r.inputs.securityGroupId]);
    expect(rules).toEqual(expect.arrayContaining([
      ["DatabaseFromBastion", 5432, "sg-DatabaseSecurityGroup"],
      ["CacheFromBastion", 6379, "sg-CacheSecurityGroup"],
    ]));
    // The data stores sit in the VPC's private subnets, which the tunnel routes.
    expect(h.one("aws:rds/subnetGroup:SubnetGroup", "DatabaseSubnetGroup").inputs.subnetIds).toEqual(["VpcPrivateSubnet1-id", "VpcPrivateSubnet2-id"]);
  });

  it("runs both services locally (dev.command), linked to the live database, cache and secrets", async () => {
    // DevCommand keeps its command in outputs the mocks don't record; names prove registration.
    expect(h.byType("sst:sst:DevCommand").map((d) => d.name).sort()).toEqual(["DispatcherDev", "ProxyDev"]);
    expect(await h.resolve(outputs?.url)).toBe("http://localhost:8080");
  });
});

describe.runIf(ready)("synth: sst dev with LLM_PROXY_DEV_LOCAL=1", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    h.created.length = 0;
    await h.synth("bob", { dev: true, env: { LLM_PROXY_DEV_LOCAL: "1" } });
    delete process.env.LLM_PROXY_DEV_LOCAL;
  });

  it("points the links at local PostgreSQL and Redis instead of deploying them", () => {
    expect(h.byType("aws:rds/cluster:Cluster")).toHaveLength(0);
    expect(h.byType("aws:elasticache/replicationGroup:ReplicationGroup")).toHaveLength(0);
    expect(h.byType("sst:sst:DevCommand").map((d) => d.name).sort()).toEqual(["CacheDev", "DatabaseDev", "DispatcherDev", "ProxyDev"]);
  });
});
