import { beforeAll, describe, expect, it } from "vitest";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// `sst dev --stage alice`: services run locally, the database and cache are local.
const ready = platformReady();
let h: typeof Harness;
let outputs: Record<string, unknown> | undefined;

describe.runIf(ready)("synth: sst dev", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    ({ outputs } = await h.synth("alice", { dev: true }));
  });

  it("creates no ECS service, ALB, RDS, ElastiCache or alarms", () => {
    for (const type of ["aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer", "aws:rds/cluster:Cluster", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:cloudwatch/metricAlarm:MetricAlarm"]) {
      expect(h.byType(type), type).toHaveLength(0);
    }
  });

  it("registers local dev commands for both services and local endpoints for the data stores", async () => {
    // DevCommand keeps its command in outputs the mocks don't record; names prove registration.
    expect(h.byType("sst:sst:DevCommand").map((d) => d.name).sort()).toEqual(["CacheDev", "DatabaseDev", "DispatcherDev", "ProxyDev"]);
    expect(await h.resolve(outputs?.url)).toBe("http://localhost:8080");
  });
});
