import { beforeAll, describe, expect, it } from "vitest";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// A stage that imports an existing VPC and certificate and turns on the HA options.
const ready = platformReady();
let h: typeof Harness;

describe.runIf(ready)("synth: existing VPC, imported certificate, reader, Redis replica", () => {
  beforeAll(async () => {
    const overrides = await import("../overrides");
    overrides.stageOverrides.staging = {
      existingVpcId: "vpc-0abc",
      existingSubnets: { public: ["subnet-p1", "subnet-p2"], private: ["subnet-a1", "subnet-a2"], data: ["subnet-d1", "subnet-d2"] },
      natType: "none",
      natGateways: 0,
      domainName: "llm.example.org",
      existingCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
      auroraReader: true,
      redisNumNodes: 2,
      useArm64: false,
      adminUiPort: false,
    };
    h = await import("./sst-harness");
    await h.synth("staging");
  });

  it("creates no VPC and places everything in the given subnets", () => {
    expect(h.byType("aws:ec2/vpc:Vpc")).toHaveLength(0);
    expect(h.byType("aws:ec2/subnet:Subnet")).toHaveLength(0);
    expect(h.one("aws:ec2/securityGroup:SecurityGroup", "ServicesSecurityGroup").inputs.vpcId).toBe("vpc-0abc");
    expect(h.one("aws:ecs/service:Service", "ProxyService").inputs.networkConfiguration).toMatchObject({ assignPublicIp: false, subnets: ["subnet-a1", "subnet-a2"] });
    expect(h.one("aws:lb/loadBalancer:LoadBalancer", "ProxyLoadBalancer").inputs.subnets).toEqual(["subnet-p1", "subnet-p2"]);
    expect(h.one("aws:rds/subnetGroup:SubnetGroup", "DatabaseSubnetGroup").inputs.subnetIds).toEqual(["subnet-d1", "subnet-d2"]);
  });

  it("uses the imported certificate without creating one or DNS records, and hides the admin UI", () => {
    expect(h.byType("aws:acm/certificate:Certificate")).toHaveLength(0);
    expect(h.byType("aws:route53/record:Record")).toHaveLength(0);
    const listeners = h.byType("aws:lb/listener:Listener").map((l) => l.inputs);
    expect(listeners.map((l) => l.port).sort()).toEqual([443, 80]);
    expect(listeners.find((l) => l.port === 443)?.certificateArn).toBe("arn:aws:acm:us-east-1:123456789012:certificate/abc");
    expect(h.env(h.first(h.containers("ProxyTask"))).ADMIN_UI_ENABLED).toBe("false");
  });

  it("adds an Aurora reader, a Redis replica with failover, and runs on x86_64", () => {
    expect(h.byType("aws:rds/clusterInstance:ClusterInstance")).toHaveLength(2);
    expect(h.one("aws:elasticache/replicationGroup:ReplicationGroup", "CacheCluster").inputs).toMatchObject({ clusterMode: "disabled", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true });
    expect(h.one("aws:ecs/taskDefinition:TaskDefinition", "ProxyTask").inputs).toMatchObject({ runtimePlatform: { cpuArchitecture: "X86_64" } });
  });
});
