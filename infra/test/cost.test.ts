import { describe, expect, it } from "vitest";
import { devModeEstimate, estimate, formatReport, publicIpv4, tiers, topologies, total } from "../cost";
import { resolveStage } from "../stage";

const byComponent = (lines: ReturnType<typeof estimate>) => Object.fromEntries(lines.map((l) => [l.component, Math.round(l.monthly)]));

describe("cost estimate", () => {
  const prod = resolveStage("prod");

  it("reproduces the design's ~$130 low-traffic table, plus the public IPv4 addresses it left out", () => {
    const lines = estimate(prod);
    // Design: Aurora ~43, NAT ~32, Fargate ~18, ALB ~18, Redis ~12, CloudWatch ~5, Secrets ~2, ACM+R53 ~1.
    expect(byComponent(lines)).toEqual({
      "Aurora Serverless v2": 44, "NAT Gateway": 33, "ECS Fargate": 14, ALB: 18, "ElastiCache Redis": 12, CloudWatch: 5, "Public IPv4": 11, "Secrets Manager": 1, "ACM + Route 53": 1,
    });
    expect(Math.round(total(lines) - (byComponent(lines)["Public IPv4"] ?? 0))).toBe(127);
  });

  it("counts the secrets the stack creates and every public IPv4 address", () => {
    // TaskSecrets + SST's Aurora and Redis password secrets.
    expect(estimate(prod).find((l) => l.component === "Secrets Manager")?.configuration).toBe("3 secrets");
    expect(publicIpv4(prod, 1)).toEqual({ count: 3, what: "2 ALB + 1 NAT gateway" });
    const alice = resolveStage("alice");
    expect(publicIpv4(alice, 1)).toEqual({ count: 5, what: "2 ALB + 2 task + 1 bastion" });
    expect(publicIpv4({ ...prod, natGateways: 2 }, 3).count).toBe(4);
  });

  it("prices a personal stage under sst dev: Redis, bastion, secrets, Aurora only while used", () => {
    const dev = devModeEstimate(resolveStage("alice"), 40);
    expect(byComponent(dev)).toEqual({ "Aurora Serverless v2": 5, "ElastiCache Redis": 12, Bastion: 7, "Secrets Manager": 1 });
    expect(formatReport("alice", resolveStage("alice"))).toMatch(/Under `sst dev`.*\$24\.\d\d/);
  });

  it("prices the design's $18 Fargate line at x86 rates; ARM64 is ~20 % cheaper", () => {
    const x86 = byComponent(estimate({ ...prod, useArm64: false }))["ECS Fargate"];
    expect(x86).toBe(18);
    expect(byComponent(estimate(prod))["ECS Fargate"]).toBeLessThan(0.85 * 18);
  });

  it("lands each scaling tier near the design's figure", () => {
    // The design's figures plus the public IPv4 addresses it did not count (~$11–26).
    const design: Record<string, [number, number]> = { Dev: [120, 150], "Low Traffic": [140, 170], Medium: [280, 330], Production: [600, 700] };
    for (const tier of tiers) {
      const [s, usage] = tier.apply(prod);
      const [low, high] = design[tier.name] ?? [0, 0];
      const t = total(estimate(s, usage));
      expect(t, tier.name).toBeGreaterThanOrEqual(low);
      expect(t, tier.name).toBeLessThanOrEqual(high);
    }
  });

  it("shows what the SST public-subnet topology saves: the NAT gateway", () => {
    const [priv, pub] = topologies(prod);
    // The NAT gateway and its address, minus the public addresses of the 2 tasks.
    expect(total(estimate(priv)) - total(estimate(pub))).toBeCloseTo(0.045 * 730 + (1 - 2) * 0.005 * 730, 1);
    expect(byComponent(estimate(pub))["NAT Gateway"]).toBeUndefined();
  });

  it("counts reader, replicas and NAT gateways from settings", () => {
    const more = byComponent(estimate({ ...prod, auroraReader: true, redisNumNodes: 2, natGateways: 2 }));
    expect(more["Aurora Serverless v2"]).toBe(88);
    expect(more["ElastiCache Redis"]).toBe(23);
    expect(more["NAT Gateway"]).toBe(66);
  });

  it("prints a report with the stage's total and the tiers", () => {
    const report = formatReport("prod", prod);
    expect(report).toContain('stage "prod"');
    expect(report).toMatch(/Total\s+\$138\.\d\d/);
    expect(report).toMatch(/Production\s+Full HA/);
  });
});
