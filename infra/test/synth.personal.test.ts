import { beforeAll, describe, expect, it } from "vitest";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// `sst deploy --stage alice`: a personal stage on SST's Vpc (bastion, no NAT) and Cluster v2 topology.
const ready = platformReady();
let h: typeof Harness;

describe.runIf(ready)("synth: personal stage", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    await h.synth("alice");
  });

  it("runs tasks in public subnets with public IPs, creates no NAT, and a bastion for the tunnel", () => {
    expect(h.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(0);
    expect(h.byType("aws:ec2/instance:Instance").map((i) => i.name)).toEqual(["VpcBastionInstance"]);
    expect(h.one("aws:ecs/service:Service", "ProxyService").inputs.networkConfiguration).toEqual({
      assignPublicIp: true, subnets: ["VpcPublicSubnet1-id", "VpcPublicSubnet2-id"], securityGroups: ["sg-ServicesSecurityGroup"],
    });
    expect(h.one("aws:rds/subnetGroup:SubnetGroup", "DatabaseSubnetGroup").inputs.subnetIds).toEqual(["VpcPrivateSubnet1-id", "VpcPrivateSubnet2-id"]);
  });

  it("uses the personal preset: one proxy task, Aurora 0–2 ACU with auto-pause, 7-day logs", () => {
    expect(h.one("aws:appautoscaling/target:Target", "ProxyAutoScalingTarget").inputs).toMatchObject({ minCapacity: 1, maxCapacity: 1 });
    expect(h.one("aws:rds/cluster:Cluster", "DatabaseCluster").inputs).toMatchObject({ serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 300 } });
    for (const l of h.byType("aws:cloudwatch/logGroup:LogGroup")) expect(l.inputs.retentionInDays).toBe(7);
  });
});
