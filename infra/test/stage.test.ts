import { describe, expect, it } from "vitest";
import { assertDeployable, autodeployStage, designDefaults, resolveStage, StageSettingsError } from "../stage";

describe("stage settings", () => {
  it("defaults to the design's Configuration Props table", () => {
    expect(designDefaults).toMatchObject({
      natGateways: 1,
      auroraMinCapacity: 0.5, auroraMaxCapacity: 4, redisNodeType: "t4g.micro", redisNumNodes: 1,
      proxyMinTasks: 1, proxyMaxTasks: 4, useArm64: true, enableXRay: false, logRetentionDays: 14,
      scaleCpuTarget: 70, scaleRequestsPerTarget: 500, scaleOutCooldownSeconds: 120, scaleInCooldownSeconds: 600,
      taskSubnets: "private", natType: "gateway", auroraReader: false, redisClusterMode: false,
    });
    // Design: "—" (nothing imported, no domain) by default.
    for (const key of ["existingVpcId", "domainName", "existingCertificateArn", "hostedZoneId", "alarmEmail"] as const) {
      expect(designDefaults[key], key).toBeUndefined();
    }
  });

  it("prod keeps the design's topology and protects its data", () => {
    expect(resolveStage("prod")).toMatchObject({
      taskSubnets: "private", natGateways: 1, removal: "retain", protect: true, auroraDeletionProtection: true, auroraBackupRetentionDays: 7, proxyMaxTasks: 4,
    });
  });

  it("personal stages use SST's public-subnet topology without NAT, a bastion, and a pausing database", () => {
    expect(resolveStage("alice")).toMatchObject({ taskSubnets: "public", natType: "none", natGateways: 0, proxyMaxTasks: 1, removal: "remove", bastion: true, auroraMinCapacity: 0 });
  });

  it("allows auroraMinCapacity 0 (auto-pause) on personal stages only", () => {
    expect(resolveStage("alice", { alice: { auroraMinCapacity: 0 } }).auroraMinCapacity).toBe(0);
    for (const stage of ["staging", "prod"]) {
      expect(() => resolveStage(stage, { [stage]: { auroraMinCapacity: 0 } })).toThrow(/auroraMinCapacity must be ≥ 0.5 .*personal stages only/);
    }
  });

  it("takes the domain and alarm e-mail from the deploy environment; overrides win", () => {
    const env = { LLM_PROXY_DOMAIN: "llm.example.com", LLM_PROXY_ALARM_EMAIL: "ops@example.com" };
    expect(resolveStage("prod", {}, env)).toMatchObject({ domainName: "llm.example.com", alarmEmail: "ops@example.com" });
    expect(resolveStage("prod", { prod: { domainName: "api.example.org" } }, env).domainName).toBe("api.example.org");
    expect(resolveStage("prod", {}, { LLM_PROXY_DOMAIN: "" }).domainName).toBeUndefined();
  });

  it("refuses to deploy prod without a domain, naming the setting; staging may serve HTTP", () => {
    expect(() => assertDeployable("prod", resolveStage("prod"))).toThrow(/stage "prod" serves HTTPS only: set LLM_PROXY_DOMAIN/);
    expect(() => assertDeployable("prod", resolveStage("prod", {}, { LLM_PROXY_DOMAIN: "llm.example.com" }))).not.toThrow();
    expect(() => assertDeployable("staging", resolveStage("staging"))).not.toThrow();
  });

  it("applies overrides for the named stage only", () => {
    const overrides = { prod: { domainName: "llm.example.com", natGateways: 2 } };
    expect(resolveStage("prod", overrides)).toMatchObject({ domainName: "llm.example.com", natGateways: 2 });
    expect(resolveStage("staging", overrides).domainName).toBeUndefined();
  });

  it.each([
    [{ auroraMinCapacity: 0 }, /auroraMinCapacity must be ≥ 0.5/],
    [{ auroraMinCapacity: 2, auroraMaxCapacity: 1 }, /auroraMaxCapacity must be ≥ auroraMinCapacity/],
    [{ proxyMinTasks: 3, proxyMaxTasks: 2 }, /proxyMaxTasks \(2\) must be ≥ proxyMinTasks \(3\)/],
    [{ natType: "none" as const, natGateways: 0 }, /without internet access/],
    [{ natGateways: 3 }, /natGateways must be 1 to azs \(2\)/],
    [{ existingCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x" }, /existingCertificateArn needs domainName/],
    [{ hostedZoneId: "Z1" }, /hostedZoneId needs domainName/],
    [{ existingVpcId: "vpc-1", natType: "none" as const, natGateways: 0 }, /needs existingSubnets/],
    [{ redisNodeType: "cache.t4g.micro" }, /without the "cache." prefix/],
    [{ logRetentionDays: 10 }, /logRetentionDays 10 is not a CloudWatch value/],
    [{ alarmEmail: "ops" }, /not an e-mail address/],
    [{ adminUiPort: 443 }, /adminUiPort must be a free listener port/],
    [{ adminUiCidrs: ["10.0.0.1"] }, /adminUiCidrs must be IPv4 CIDR blocks/],
    [{ albIdleTimeoutSeconds: 60 }, /albIdleTimeoutSeconds must be 300/],
    [{ bastion: true }, /bastion uses SST's Vpc/],
  ])("rejects %j", (override, message) => {
    expect(() => resolveStage("staging", { staging: override })).toThrow(StageSettingsError);
    expect(() => resolveStage("staging", { staging: override })).toThrow(message);
  });

  it("rejects stage names AWS resource names cannot carry", () => {
    expect(() => resolveStage("Prod_1")).toThrow(/lowercase letters, digits and dashes/);
  });

  it("accepts an existing VPC with its subnets", () => {
    const s = resolveStage("prod", { prod: { existingVpcId: "vpc-0abc", existingSubnets: { public: ["a", "b"], private: ["c", "d"] }, natType: "none", natGateways: 0 } });
    expect(s.existingVpcId).toBe("vpc-0abc");
  });
});

describe("load balancer idle timeout vs the proxy's stream idle timeout", () => {
  it("refuses a STREAM_IDLE_TIMEOUT setting longer than the ALB's idle timeout", async () => {
    const { idleTimeoutProblem } = await import("../proxy");
    expect(idleTimeoutProblem(300, {})).toBeUndefined();
    expect(idleTimeoutProblem(300, { STREAM_IDLE_TIMEOUT: "5m" })).toBeUndefined();
    expect(idleTimeoutProblem(300, { STREAM_IDLE_TIMEOUT: "10m" })).toMatch(/STREAM_IDLE_TIMEOUT \(10m\) is longer than the load balancer's idle timeout \(300 s\)/);
    expect(idleTimeoutProblem(600, { STREAM_IDLE_TIMEOUT: "10m" })).toBeUndefined();
  });
});

describe("autodeploy rules (deploy.yml and console.autodeploy)", () => {
  it("deploys prod on v*-stable tags only", () => {
    expect(autodeployStage({ type: "tag", action: "pushed", tag: "v1.2.3-stable" }, false)).toBe("prod");
    expect(autodeployStage({ type: "tag", action: "pushed", tag: "v1.2.3" }, true)).toBeUndefined();
    expect(autodeployStage({ type: "tag", action: "removed", tag: "v1.2.3-stable" }, true)).toBeUndefined();
  });

  it("deploys staging on pushes to main when enabled", () => {
    expect(autodeployStage({ type: "branch", action: "pushed", branch: "main" }, true)).toBe("staging");
    expect(autodeployStage({ type: "branch", action: "pushed", branch: "main" }, false)).toBeUndefined();
    expect(autodeployStage({ type: "branch", action: "pushed", branch: "feature" }, true)).toBeUndefined();
    expect(autodeployStage({ type: "pull_request", action: "pushed", number: 4 }, true)).toBeUndefined();
  });
});
