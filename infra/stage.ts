/**
 * Typed per-stage settings for the AWS deployment. Pure: no SST or Pulumi imports, so the
 * presets and their validation are unit-tested without `sst install`, and `cost.ts` can price
 * a stage without touching AWS. Every prop of the design's "Configuration Props" table is here
 * under its design name, with the design's default.
 */

/** Log retention values CloudWatch accepts, keyed by days, as SST spells them. */
export const retentionByDays = {
  1: "1 day", 3: "3 days", 5: "5 days", 7: "1 week", 14: "2 weeks", 30: "1 month", 60: "2 months",
  90: "3 months", 120: "4 months", 150: "5 months", 180: "6 months", 365: "1 year", 400: "13 months",
  545: "18 months", 731: "2 years", 1096: "3 years", 1827: "5 years", 2192: "6 years",
  2557: "7 years", 2922: "8 years", 3288: "9 years", 3653: "10 years",
} as const;
export type RetentionDays = keyof typeof retentionByDays;
export type RetentionKey = (typeof retentionByDays)[RetentionDays];

/** SST's name for a retention in days; validate() has already rejected other values. */
export function retentionKey(days: number): RetentionKey {
  const key = (retentionByDays as Record<number, RetentionKey | undefined>)[days];
  if (key === undefined) throw new StageSettingsError(`logRetentionDays ${days} is not a CloudWatch value`);
  return key;
}

export type FargateCpu = "0.25 vCPU" | "0.5 vCPU" | "1 vCPU" | "2 vCPU" | "4 vCPU";
export type FargateMemory = `${number} GB`;

export interface StageSettings {
  /** AWS region of the stage. */
  region: string;
  /** `retain` keeps the database, cache and VPC on `sst remove`; `protect` refuses removal. */
  removal: "remove" | "retain";
  protect: boolean;

  // --- VPC (design: existingVpcId, natGateways)
  /** Import an existing VPC instead of creating one; then its subnet ids are required too. */
  existingVpcId?: string;
  existingSubnets?: { public: string[]; private: string[]; data?: string[] };
  /** Availability zones of a created VPC. */
  azs: number;
  /**
   * Where the ECS tasks run. `private`: the design (private subnets, egress through NAT).
   * `public`: what SST's Cluster v2 does (public subnets, public IPs, no NAT needed).
   */
  taskSubnets: "private" | "public";
  /** NAT for private subnets: managed NAT gateways, fck-nat EC2 instances, or none. */
  natType: "gateway" | "instance" | "none";
  /** Number of NAT gateways (design: 1; 2 for HA). Ignored unless natType is "gateway". */
  natGateways: number;
  /** Ports the tasks may reach on the internet (LLM upstreams, sinks). */
  egressPorts: number[];
  /**
   * SST's Vpc with a bastion host instead of the design's 3-tier VPC, so `sst tunnel` (and
   * `sst dev`) reach Aurora and Redis from a laptop. Public tasks, no NAT; data in its private subnets.
   */
  bastion: boolean;

  // --- Domain (design: domainName, existingCertificateArn) + hosted zone
  /** Serve HTTPS on 443 (redirect from 80) for this name; HTTP-only when unset. */
  domainName?: string;
  /** Import an ACM certificate instead of creating a DNS-validated one. */
  existingCertificateArn?: string;
  /** Route 53 zone to create the certificate validation and alias records in. */
  hostedZoneId?: string;
  /** ALB listener port for the admin UI, served over HTTPS only (needs domainName); false hides it. */
  adminUiPort: number | false;
  /** Who may reach the admin UI listener (CIDR blocks); everyone by default. */
  adminUiCidrs: string[];
  /** Refuse to deploy without domainName (prod): the API and admin UI carry bearer tokens. */
  httpsOnly: boolean;
  /** ALB idle timeout: at least the proxy's STREAM_IDLE_TIMEOUT (300 s), or quiet streams get a 504. */
  albIdleTimeoutSeconds: number;

  // --- Aurora (design: auroraMinCapacity, auroraMaxCapacity) + reader
  /** 0 (personal stages only) lets Aurora pause after 5 idle minutes; resuming takes seconds. */
  auroraMinCapacity: number;
  auroraMaxCapacity: number;
  /** Add one reader instance (design: off; Serverless v2 scales reads). */
  auroraReader: boolean;
  auroraDeletionProtection: boolean;
  auroraBackupRetentionDays: number;

  // --- Redis (design: redisNodeType, redisNumNodes)
  /** ElastiCache node type without the `cache.` prefix. */
  redisNodeType: string;
  /** Nodes: 1 = primary only; 2+ = primary with replicas (automatic failover). */
  redisNumNodes: number;
  /** Cluster mode (sharding). Off: SST's default is on, the proxy wants a plain endpoint. */
  redisClusterMode: boolean;

  // --- ECS (design: proxyMinTasks, proxyMaxTasks, useArm64) + scaling targets
  proxyMinTasks: number;
  proxyMaxTasks: number;
  proxyCpu: FargateCpu;
  proxyMemory: FargateMemory;
  useArm64: boolean;
  /** Target-tracking CPU utilization (%). */
  scaleCpuTarget: number;
  /** Target-tracking ALB requests per target. */
  scaleRequestsPerTarget: number;
  scaleOutCooldownSeconds: number;
  scaleInCooldownSeconds: number;
  dispatcherCpu: FargateCpu;
  dispatcherMemory: FargateMemory;

  // --- Observability (design: enableXRay, logRetentionDays) + alarms
  enableXRay: boolean;
  logRetentionDays: number;
  /** Alarms always go to an SNS topic; this address is subscribed to it when set. */
  alarmEmail?: string;
}

/** The design's "Configuration Props" defaults, plus the settings the design implies. */
export const designDefaults: StageSettings = {
  region: "us-east-1",
  removal: "remove",
  protect: false,
  azs: 2,
  taskSubnets: "private",
  natType: "gateway",
  natGateways: 1,
  egressPorts: [443],
  bastion: false,
  adminUiPort: 8443,
  adminUiCidrs: ["0.0.0.0/0"],
  httpsOnly: false,
  albIdleTimeoutSeconds: 300,
  auroraMinCapacity: 0.5,
  auroraMaxCapacity: 4,
  auroraReader: false,
  auroraDeletionProtection: false,
  auroraBackupRetentionDays: 1,
  redisNodeType: "t4g.micro",
  redisNumNodes: 1,
  redisClusterMode: false,
  proxyMinTasks: 1,
  proxyMaxTasks: 4,
  proxyCpu: "0.25 vCPU",
  proxyMemory: "0.5 GB",
  useArm64: true,
  scaleCpuTarget: 70,
  scaleRequestsPerTarget: 500,
  scaleOutCooldownSeconds: 120,
  scaleInCooldownSeconds: 600,
  dispatcherCpu: "0.25 vCPU",
  dispatcherMemory: "0.5 GB",
  enableXRay: false,
  logRetentionDays: 14,
};

/** Stage names with their own preset; every other name is a personal dev stage. */
export const sharedStages = ["staging", "prod"] as const;

/**
 * Presets on top of the design defaults. Personal stages run the cheap SST Cluster v2 topology
 * (public tasks, no NAT) and a smaller footprint; staging mirrors prod's topology at prod's
 * defaults; prod keeps its data on removal and protects it.
 */
export const presets: { personal: Partial<StageSettings>; staging: Partial<StageSettings>; prod: Partial<StageSettings> } = {
  personal: {
    taskSubnets: "public",
    natType: "none",
    natGateways: 0,
    bastion: true,
    // An idle developer stage pauses its database (SST's default); resuming costs seconds.
    auroraMinCapacity: 0,
    auroraMaxCapacity: 2,
    proxyMaxTasks: 1,
    logRetentionDays: 7,
  },
  staging: {},
  prod: {
    httpsOnly: true,
    removal: "retain",
    protect: true,
    auroraDeletionProtection: true,
    auroraBackupRetentionDays: 7,
  },
};

export class StageSettingsError extends Error {
  override name = "StageSettingsError";
}

export function presetFor(stage: string): Partial<StageSettings> {
  if (stage === "prod") return presets.prod;
  if (stage === "staging") return presets.staging;
  return presets.personal;
}

const isPersonal = (stage: string) => !(sharedStages as readonly string[]).includes(stage);

/** What `sst deploy` takes from its environment: LLM_PROXY_DOMAIN and LLM_PROXY_ALARM_EMAIL. */
export function deployEnvironment(env: Record<string, string | undefined>): Partial<StageSettings> {
  const settings: Partial<StageSettings> = {};
  if (env.LLM_PROXY_DOMAIN) settings.domainName = env.LLM_PROXY_DOMAIN;
  if (env.LLM_PROXY_ALARM_EMAIL) settings.alarmEmail = env.LLM_PROXY_ALARM_EMAIL;
  return settings;
}

/**
 * Defaults, then the stage's preset, then the deploy environment (`deployEnvironment`), then
 * overrides; validated. Throws StageSettingsError.
 */
export function resolveStage(
  stage: string,
  overrides: Partial<Record<string, Partial<StageSettings>>> = {},
  env: Record<string, string | undefined> = {},
): StageSettings {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage)) {
    throw new StageSettingsError(`stage "${stage}": use lowercase letters, digits and dashes (it becomes part of AWS names)`);
  }
  const settings: StageSettings = { ...designDefaults, ...presetFor(stage), ...deployEnvironment(env), ...overrides[stage] };
  const problems = validate(settings, isPersonal(stage));
  if (problems.length > 0) throw new StageSettingsError(`stage "${stage}": ${problems.join("; ")}`);
  return settings;
}

const isInt = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/**
 * What only blocks a deploy (`npm run cost` and the CLI still resolve the stage): an HTTPS-only
 * stage without a domain. Throws StageSettingsError naming the setting.
 */
export function assertDeployable(stage: string, s: StageSettings): void {
  if (s.httpsOnly && s.domainName === undefined) {
    throw new StageSettingsError(
      `stage "${stage}" serves HTTPS only: set LLM_PROXY_DOMAIN=<host name> for the deploy (or domainName in infra/overrides.ts)`,
    );
  }
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** Every rule that AWS or the topology would otherwise reject late (at deploy) or silently. */
export function validate(s: StageSettings, personal = false): string[] {
  const p: string[] = [];
  if (s.existingVpcId !== undefined) {
    if (!/^vpc-[0-9a-f]+$/.test(s.existingVpcId)) p.push(`existingVpcId "${s.existingVpcId}" is not a VPC id (vpc-…)`);
    if (!s.existingSubnets || s.existingSubnets.public.length < 2 || s.existingSubnets.private.length < 2) {
      p.push("existingVpcId needs existingSubnets with at least 2 public and 2 private subnet ids (ALB and Aurora span 2 AZs)");
    }
  } else if (s.existingSubnets) {
    p.push("existingSubnets is only used with existingVpcId");
  }
  if (!isInt(s.azs, 2, 6)) p.push(`azs must be 2 to 6 (ALB and Aurora need 2), got ${s.azs}`);
  if (s.natType === "gateway" && !isInt(s.natGateways, 1, s.azs)) {
    p.push(`natGateways must be 1 to azs (${s.azs}) with natType "gateway", got ${s.natGateways}`);
  }
  if (s.natType !== "gateway" && s.natGateways !== 0) p.push(`natGateways is ${s.natGateways} but natType is "${s.natType}": set natType "gateway"`);
  if (s.existingVpcId !== undefined && s.natType !== "none") {
    p.push('an existing VPC brings its own egress: set natType "none" (the private subnets must already route to a NAT)');
  }
  if (s.taskSubnets === "private" && s.natType === "none" && s.existingVpcId === undefined) {
    p.push('taskSubnets "private" with natType "none" leaves the tasks without internet access: add NAT or use taskSubnets "public"');
  }
  if (s.egressPorts.length === 0 || !s.egressPorts.every((port) => isInt(port, 1, 65535))) p.push("egressPorts must be 1 or more ports");
  if (s.domainName !== undefined && !/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i.test(s.domainName)) p.push(`domainName "${s.domainName}" is not a host name`);
  if (s.existingCertificateArn !== undefined) {
    if (s.domainName === undefined) p.push("existingCertificateArn needs domainName");
    if (!/^arn:aws[a-z-]*:acm:/.test(s.existingCertificateArn)) p.push("existingCertificateArn must be an ACM certificate ARN");
  }
  if (s.hostedZoneId !== undefined && s.domainName === undefined) p.push("hostedZoneId needs domainName");
  if (s.adminUiPort !== false && (!isInt(s.adminUiPort, 1, 65535) || [80, 443].includes(s.adminUiPort))) {
    p.push(`adminUiPort must be a free listener port (not 80/443), got ${s.adminUiPort}`);
  }
  if (!s.adminUiCidrs.every((c) => CIDR.test(c))) p.push(`adminUiCidrs must be IPv4 CIDR blocks (e.g. 203.0.113.0/24), got ${s.adminUiCidrs.join(", ")}`);
  if (!isInt(s.albIdleTimeoutSeconds, 300, 4000)) {
    p.push(`albIdleTimeoutSeconds must be 300 (the proxy's STREAM_IDLE_TIMEOUT) to 4000, got ${s.albIdleTimeoutSeconds}`);
  }
  if (s.bastion && (s.existingVpcId !== undefined || s.natType !== "none" || s.taskSubnets !== "public")) {
    p.push('bastion uses SST\'s Vpc: it needs taskSubnets "public", natType "none" and no existingVpcId');
  }
  const acu = (n: number) => Number.isFinite(n) && n * 2 === Math.round(n * 2);
  if (!acu(s.auroraMinCapacity) || s.auroraMinCapacity < (personal ? 0 : 0.5)) {
    p.push(
      personal
        ? `auroraMinCapacity must be ≥ 0 in steps of 0.5, got ${s.auroraMinCapacity}`
        : `auroraMinCapacity must be ≥ 0.5 in steps of 0.5 (0 auto-pauses, slowing the first request: personal stages only), got ${s.auroraMinCapacity}`,
    );
  }
  if (!acu(s.auroraMaxCapacity) || s.auroraMaxCapacity > 256 || s.auroraMaxCapacity < s.auroraMinCapacity) {
    p.push(`auroraMaxCapacity must be ≥ auroraMinCapacity and ≤ 256 in steps of 0.5, got ${s.auroraMaxCapacity}`);
  }
  if (!isInt(s.auroraBackupRetentionDays, 1, 35)) p.push("auroraBackupRetentionDays must be 1 to 35");
  if (!/^(t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.[a-z0-9]+$/.test(s.redisNodeType)) {
    p.push(`redisNodeType "${s.redisNodeType}" is not an ElastiCache node type without the "cache." prefix (e.g. t4g.micro)`);
  }
  if (!isInt(s.redisNumNodes, 1, 6)) p.push(`redisNumNodes must be 1 to 6, got ${s.redisNumNodes}`);
  if (!isInt(s.proxyMinTasks, 1, 100)) p.push(`proxyMinTasks must be at least 1, got ${s.proxyMinTasks}`);
  if (!isInt(s.proxyMaxTasks, s.proxyMinTasks, 100)) p.push(`proxyMaxTasks (${s.proxyMaxTasks}) must be ≥ proxyMinTasks (${s.proxyMinTasks})`);
  if (!isInt(s.scaleCpuTarget, 10, 95)) p.push("scaleCpuTarget must be 10 to 95 (%)");
  if (!isInt(s.scaleRequestsPerTarget, 1, 1_000_000)) p.push("scaleRequestsPerTarget must be a positive whole number");
  if (!isInt(s.scaleOutCooldownSeconds, 0, 3600) || !isInt(s.scaleInCooldownSeconds, 0, 3600)) p.push("scaling cooldowns must be 0 to 3600 seconds");
  if (!(s.logRetentionDays in retentionByDays)) {
    p.push(`logRetentionDays ${s.logRetentionDays} is not a CloudWatch value (${Object.keys(retentionByDays).join(", ")})`);
  }
  if (s.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.alarmEmail)) p.push(`alarmEmail "${s.alarmEmail}" is not an e-mail address`);
  return p;
}

/** Where a stage comes from in CI or the SST Console: the rules deploy.yml also applies. */
export type DeployEvent =
  | { type: "branch"; action: "pushed" | "removed"; branch: string }
  | { type: "tag"; action: "pushed" | "removed"; tag: string }
  | { type: "pull_request"; action: "pushed" | "removed"; number: number };

/** `v*-stable` tags deploy prod; pushes to main deploy staging when enabled; nothing else deploys. */
export function autodeployStage(event: DeployEvent, stagingEnabled: boolean): "prod" | "staging" | undefined {
  if (event.action !== "pushed") return undefined;
  if (event.type === "tag" && /^v.*-stable$/.test(event.tag)) return "prod";
  if (event.type === "branch" && event.branch === "main" && stagingEnabled) return "staging";
  return undefined;
}
