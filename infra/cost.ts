import type { StageSettings } from "./stage";

/**
 * A monthly cost estimate from stage settings. Pure. Unit prices are AWS us-east-1 list prices
 * as the design uses them (its tables are "~" figures); usage that settings don't fix (average
 * tasks, ACUs, LCUs, log volume) comes from a usage profile.
 */

export const HOURS_PER_MONTH = 730;

export const unitPrices = {
  /** Aurora Serverless v2, per ACU-hour (design: 0.5 ACU = $0.06/h). */
  auroraAcuHour: 0.12,
  /** Aurora storage, per GB-month. */
  auroraStorageGbMonth: 0.1,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  /** fck-nat on t4g.nano. */
  natInstanceHour: 0.0042,
  fargate: {
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  },
  albHour: 0.0225,
  albLcuHour: 0.008,
  /** ElastiCache on-demand node-hours by node type. */
  redisNodeHour: { "t4g.micro": 0.016, "t4g.small": 0.032, "t4g.medium": 0.065, "m7g.large": 0.158, "r7g.large": 0.219 } as Record<string, number>,
  cloudWatchLogsIngestGb: 0.5,
  cloudWatchLogsStoreGbMonth: 0.03,
  cloudWatchAlarm: 0.1,
  secretMonth: 0.4,
  /** Every public IPv4 address (ALB nodes, NAT, public tasks, bastion), in use or not, since 2024. */
  publicIpv4Hour: 0.005,
  /** The bastion of a `bastion` stage (SST's Vpc): one t4g.nano. */
  bastionInstanceHour: 0.0042,
  route53ZoneMonth: 0.5,
  route53MillionQueries: 0.4,
  xrayMillionTraces: 5,
} as const;

/** What settings don't determine. The defaults are the design's low-traffic month. */
export interface Usage {
  /** Average running proxy tasks (between proxyMinTasks and proxyMaxTasks). */
  avgProxyTasks: number;
  /** Average writer ACUs (≥ auroraMinCapacity). */
  avgWriterAcu: number;
  auroraStorageGb: number;
  natDataGb: number;
  albAvgLcu: number;
  logIngestGb: number;
  secrets: number;
  alarms: number;
  dnsMillionQueries: number;
  xrayMillionTraces: number;
}

export const lowTrafficUsage = (s: StageSettings): Usage => ({
  avgProxyTasks: s.proxyMinTasks,
  avgWriterAcu: s.auroraMinCapacity,
  auroraStorageGb: 0,
  natDataGb: 0,
  albAvgLcu: 0.2,
  logIngestGb: 9.5,
  secrets: stackSecrets,
  alarms: 0,
  dnsMillionQueries: 1,
  xrayMillionTraces: 0,
});

/**
 * Secrets Manager secrets the stack creates: TaskSecrets (all `sst secret set` values and the
 * Redis token, one secret), and the ones SST's Aurora and Redis components create for their
 * passwords. Parameter Store settings (METRICS_TOKEN included) are standard tier: free.
 */
export const stackSecrets = 3;

/** Public IPv4 addresses a stage holds: one per ALB zone, NAT, public task and bastion. */
export function publicIpv4(s: StageSettings, avgProxyTasks: number): { count: number; what: string } {
  const parts: [number, string][] = [
    [s.azs, "ALB"],
    [s.existingVpcId === undefined && s.natType === "gateway" ? s.natGateways : 0, "NAT gateway"],
    [s.existingVpcId === undefined && s.natType === "instance" ? s.azs : 0, "NAT instance"],
    [s.taskSubnets === "public" ? avgProxyTasks + 1 : 0, "task"],
    [s.bastion ? 1 : 0, "bastion"],
  ];
  const used = parts.filter(([n]) => n > 0);
  return { count: used.reduce((sum, [n]) => sum + n, 0), what: used.map(([n, w]) => `${n} ${w}`).join(" + ") };
}

export interface CostLine {
  component: string;
  configuration: string;
  monthly: number;
}

const cpuNumber = (cpu: string) => Number.parseFloat(cpu);
const memoryNumber = (memory: string) => Number.parseFloat(memory);

function fargateTaskMonth(s: StageSettings, cpu: string, memory: string): number {
  const p = s.useArm64 ? unitPrices.fargate.arm64 : unitPrices.fargate.x86;
  return (cpuNumber(cpu) * p.vcpuHour + memoryNumber(memory) * p.gbHour) * HOURS_PER_MONTH;
}

function redisNodeHour(nodeType: string): number {
  const price = unitPrices.redisNodeHour[nodeType];
  if (price === undefined) throw new Error(`no price for Redis node type ${nodeType}: add it to unitPrices.redisNodeHour`);
  return price;
}

/** The monthly breakdown, in the design's table order. Lines that cost nothing are left out. */
export function estimate(s: StageSettings, usage: Usage = lowTrafficUsage(s)): CostLine[] {
  const h = HOURS_PER_MONTH;
  const lines: CostLine[] = [];
  const add = (component: string, configuration: string, monthly: number) => {
    if (monthly > 0) lines.push({ component, configuration, monthly });
  };
  const readerAcu = s.auroraReader ? s.auroraMinCapacity : 0;
  add(
    "Aurora Serverless v2",
    `${usage.avgWriterAcu} ACU avg (min ${s.auroraMinCapacity}, max ${s.auroraMaxCapacity})${s.auroraReader ? " + reader" : ""}`,
    (usage.avgWriterAcu + readerAcu) * unitPrices.auroraAcuHour * h + usage.auroraStorageGb * unitPrices.auroraStorageGbMonth,
  );
  if (s.existingVpcId === undefined && s.natType === "gateway") {
    add("NAT Gateway", s.natGateways === 1 ? "Single" : `${s.natGateways} gateways`,
      s.natGateways * unitPrices.natGatewayHour * h + usage.natDataGb * unitPrices.natGatewayGb);
  }
  if (s.existingVpcId === undefined && s.natType === "instance") {
    add("NAT instances", `${s.azs} × t4g.nano (fck-nat)`, s.azs * unitPrices.natInstanceHour * h);
  }
  const arch = s.useArm64 ? "ARM64" : "x86_64";
  const tasks = usage.avgProxyTasks + 1;
  add("ECS Fargate", `${tasks} tasks × ${arch} (${usage.avgProxyTasks} proxy + 1 dispatcher)`,
    usage.avgProxyTasks * fargateTaskMonth(s, s.proxyCpu, s.proxyMemory) + fargateTaskMonth(s, s.dispatcherCpu, s.dispatcherMemory));
  add("ALB", "Base + requests", (unitPrices.albHour + usage.albAvgLcu * unitPrices.albLcuHour) * h);
  add("ElastiCache Redis", `${s.redisNodeType} × ${s.redisNumNodes}`, s.redisNumNodes * redisNodeHour(s.redisNodeType) * h);
  add("CloudWatch", `Logs (${s.logRetentionDays} days)${usage.alarms ? ` + ${usage.alarms} alarms` : ""}`,
    usage.logIngestGb * unitPrices.cloudWatchLogsIngestGb +
      usage.logIngestGb * Math.min(1, s.logRetentionDays / 30) * unitPrices.cloudWatchLogsStoreGbMonth +
      usage.alarms * unitPrices.cloudWatchAlarm);
  const ips = publicIpv4(s, usage.avgProxyTasks);
  add("Public IPv4", ips.what, ips.count * unitPrices.publicIpv4Hour * h);
  if (s.bastion) add("Bastion", "t4g.nano (sst tunnel)", unitPrices.bastionInstanceHour * h);
  add("Secrets Manager", `${usage.secrets} secrets`, usage.secrets * unitPrices.secretMonth);
  if (s.domainName !== undefined || usage.dnsMillionQueries > 0) {
    add("ACM + Route 53", "Certificate + DNS", unitPrices.route53ZoneMonth + usage.dnsMillionQueries * unitPrices.route53MillionQueries);
  }
  if (s.enableXRay) add("X-Ray", `${usage.xrayMillionTraces}M traces`, usage.xrayMillionTraces * unitPrices.xrayMillionTraces);
  return lines;
}

/**
 * `sst dev` on a `bastion` stage: no ECS service, ALB or TaskSecrets; Aurora (paused when idle,
 * min 0 ACU), Redis, the bastion and its address, SST's two password secrets.
 */
export function devModeEstimate(s: StageSettings, activeAcuHours = 0): CostLine[] {
  const h = HOURS_PER_MONTH;
  return [
    { component: "Aurora Serverless v2", configuration: `${activeAcuHours} ACU-hours while active (paused otherwise)`, monthly: activeAcuHours * unitPrices.auroraAcuHour },
    { component: "ElastiCache Redis", configuration: `${s.redisNodeType} × ${s.redisNumNodes}`, monthly: s.redisNumNodes * redisNodeHour(s.redisNodeType) * h },
    { component: "Bastion", configuration: "t4g.nano + its public IPv4", monthly: (unitPrices.bastionInstanceHour + unitPrices.publicIpv4Hour) * h },
    { component: "Secrets Manager", configuration: "2 secrets (Aurora, Redis)", monthly: 2 * unitPrices.secretMonth },
  ].filter((l) => l.monthly > 0);
}

export const total = (lines: CostLine[]) => lines.reduce((sum, l) => sum + l.monthly, 0);

/** The design's scaling tiers as settings changes plus usage; each is priced by `estimate`. */
export const tiers: { name: string; description: string; apply: (s: StageSettings) => [StageSettings, Usage] }[] = [
  {
    name: "Dev",
    description: "Single task, minimal resources",
    apply: (s) => {
      const t = { ...s, proxyMinTasks: 1, proxyMaxTasks: 1 };
      return [t, lowTrafficUsage(t)];
    },
  },
  {
    name: "Low Traffic",
    description: "1-2 tasks, auto-scaling",
    apply: (s) => [s, { ...lowTrafficUsage(s), avgProxyTasks: 2, avgWriterAcu: 0.6, auroraStorageGb: 10, natDataGb: 20, albAvgLcu: 0.5, logIngestGb: 12 }],
  },
  {
    name: "Medium",
    description: "2+ tasks, 2 NATs, Redis replica",
    apply: (s) => {
      const t: StageSettings = { ...s, natType: "gateway", natGateways: 2, redisNumNodes: 2, proxyMinTasks: 2 };
      return [t, { ...lowTrafficUsage(t), avgProxyTasks: 3, avgWriterAcu: 1.5, auroraStorageGb: 25, natDataGb: 100, albAvgLcu: 2, logIngestGb: 20, alarms: 10 }];
    },
  },
  {
    name: "Production",
    description: "Full HA, monitoring enabled",
    apply: (s) => {
      const t: StageSettings = {
        ...s, natType: "gateway", natGateways: 2, redisNumNodes: 2, redisNodeType: "t4g.small", auroraReader: true,
        auroraMinCapacity: 1, proxyMinTasks: 2, proxyCpu: "0.5 vCPU", proxyMemory: "1 GB", enableXRay: true,
      };
      return [t, { ...lowTrafficUsage(t), avgProxyTasks: 4, avgWriterAcu: 2.75, auroraStorageGb: 50, natDataGb: 300, albAvgLcu: 5, logIngestGb: 40, alarms: 10, xrayMillionTraces: 2 }];
    },
  },
];

const money = (n: number) => `$${n.toFixed(2)}`;

/** A plain-text table: the breakdown for the stage, then the tiers starting from it. */
export function formatReport(stage: string, s: StageSettings): string {
  const lines = estimate(s);
  const width = Math.max(...lines.map((l) => l.component.length));
  const cfgWidth = Math.max(...lines.map((l) => l.configuration.length));
  const out = [`Estimated monthly cost for stage "${stage}" (${s.region} list prices, low traffic):`, ""];
  for (const l of lines) out.push(`  ${l.component.padEnd(width)}  ${l.configuration.padEnd(cfgWidth)}  ${money(l.monthly).padStart(9)}`);
  out.push(`  ${"Total".padEnd(width)}  ${"".padEnd(cfgWidth)}  ${money(total(lines)).padStart(9)}`, "", "Scaling tiers:");
  for (const tier of tiers) {
    const [t, u] = tier.apply(s);
    out.push(`  ${tier.name.padEnd(12)} ${tier.description.padEnd(34)} ${money(total(estimate(t, u))).padStart(9)}`);
  }
  if (s.bastion) {
    out.push("", `Under \`sst dev\` (no ECS service or ALB; Aurora 40 ACU-hours of use): ${money(total(devModeEstimate(s, 40)))}`);
  }
  const [priv, pub] = topologies(s).map((t) => money(total(estimate(t))));
  out.push("", "Task topology (same stage otherwise):",
    `  private subnets + ${s.natGateways || 1} NAT gateway(s) (design)   ${priv}`,
    `  public subnets, no NAT (SST Cluster v2)   ${pub}`);
  return out.join("\n");
}

/** The stage with the design's topology (private tasks, NAT gateways) and with SST's (public, no NAT). */
export function topologies(s: StageSettings): [StageSettings, StageSettings] {
  return [
    { ...s, taskSubnets: "private", natType: "gateway", natGateways: Math.max(1, s.natGateways), bastion: false },
    { ...s, taskSubnets: "public", natType: "none", natGateways: 0 },
  ];
}
