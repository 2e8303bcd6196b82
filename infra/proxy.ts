import { httpHealthCommand, serviceNetwork, xrayDaemon, xrayPermissions } from "./cluster";
import type { Network, SecurityGroups } from "./network";
import { stageParameters } from "./parameters";
import type { Secrets } from "./secrets";
import { retentionKey, type StageSettings } from "./stage";

export const PROXY_PORT = 8080;
export const ADMIN_PORT = 8081;

interface ProxyDeps {
  cluster: sst.aws.Cluster;
  network: Network;
  groups: SecurityGroups;
  database: sst.aws.Aurora;
  cache: sst.aws.Redis;
  secrets: Secrets;
}

type Rule = { listen: `${number}/${"http" | "https"}`; forward?: `${number}/http`; redirect?: `${number}/https`; container: string };

/**
 * ALB rules: with a domain, HTTPS on 443 and a redirect from 80, the admin UI on its own HTTPS
 * listener; without one, HTTP only (internal or dev use).
 */
export function proxyRules(s: StageSettings): Rule[] {
  const scheme = s.domainName !== undefined ? "https" : "http";
  const admin: Rule[] = s.adminUiPort === false ? [] : [{ listen: `${s.adminUiPort}/${scheme}`, forward: `${ADMIN_PORT}/http`, container: "proxy" }];
  return scheme === "https"
    ? [{ listen: "80/http", redirect: "443/https", container: "proxy" }, { listen: "443/https", forward: `${PROXY_PORT}/http`, container: "proxy" }, ...admin]
    : [{ listen: "80/http", forward: `${PROXY_PORT}/http`, container: "proxy" }, ...admin];
}

function domain(s: StageSettings) {
  if (s.domainName === undefined) return undefined;
  return {
    name: s.domainName,
    cert: s.existingCertificateArn,
    // An imported certificate without a zone: you point your DNS at the ALB yourself.
    dns: s.hostedZoneId !== undefined ? sst.aws.dns({ zone: s.hostedZoneId }) : s.existingCertificateArn !== undefined ? (false as const) : sst.aws.dns(),
  };
}

/** The proxy: behind the ALB, autoscaled on CPU and requests per target, linked to everything. */
export function createProxy(s: StageSettings, d: ProxyDeps) {
  const xray = s.enableXRay && !$dev;
  const retention = retentionKey(s.logRetentionDays);
  const rules = proxyRules(s);
  const targetPorts = s.adminUiPort === false ? [PROXY_PORT] : [PROXY_PORT, ADMIN_PORT];
  const service = new sst.aws.Service("Proxy", {
    cluster: d.cluster,
    cpu: s.proxyCpu,
    memory: s.proxyMemory,
    architecture: s.useArm64 ? "arm64" : "x86_64",
    link: [d.database, d.cache, d.secrets.managementToken, d.secrets.encryptionKey],
    permissions: xray ? xrayPermissions : [],
    containers: [
      {
        name: "proxy",
        image: { context: ".", dockerfile: "Dockerfile", target: "proxy" },
        // Settings from `llm-proxy config:set` (SSM) override these defaults; only listed names apply.
        environment: stageParameters("proxy").apply((settings) => ({
          NODE_ENV: "production",
          LISTEN_ADDR: `:${PROXY_PORT}`,
          ADMIN_UI_LISTEN_ADDR: `:${ADMIN_PORT}`,
          ADMIN_UI_ENABLED: String(s.adminUiPort !== false),
          REQUIRE_ENCRYPTION_KEY: "true",
          LOG_FORMAT: "json",
          ...(xray ? { AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" } : {}),
          ...settings,
        })),
        logging: { retention },
        // /live, not /health: a database outage should not make ECS kill every task.
        health: { command: httpHealthCommand(PROXY_PORT, "/live"), startPeriod: "30 seconds", interval: "30 seconds", timeout: "5 seconds", retries: 3 },
        dev: { command: "npx tsx watch packages/proxy/src/main.ts", directory: "." },
      },
      ...(xray ? [xrayDaemon(retention)] : []),
    ],
    scaling: {
      min: s.proxyMinTasks,
      max: s.proxyMaxTasks,
      cpuUtilization: s.scaleCpuTarget,
      requestCount: s.scaleRequestsPerTarget,
      // SST also scales on memory (70 %) unless told not to; the design scales on CPU and requests.
      memoryUtilization: false,
      scaleOutCooldown: `${s.scaleOutCooldownSeconds} seconds`,
      scaleInCooldown: `${s.scaleInCooldownSeconds} seconds`,
    },
    loadBalancer: {
      domain: domain(s),
      rules,
      health: {
        [`${PROXY_PORT}/http`]: { path: "/health", interval: "15 seconds", timeout: "5 seconds", healthyThreshold: 2, unhealthyThreshold: 3 },
        // SST rejects a health check for a port no rule forwards to.
        ...(s.adminUiPort === false ? {} : { [`${ADMIN_PORT}/http`]: { path: "/", interval: "30 seconds", successCodes: "200-399" } }),
      },
    },
    wait: true,
    dev: { url: `http://localhost:${PROXY_PORT}` },
    transform: {
      service: { networkConfiguration: serviceNetwork(s.taskSubnets === "public", d.network, d.groups) },
      loadBalancerSecurityGroup: (args) => {
        // The design's ALB group: the listener ports from anywhere, out only to the tasks.
        const ports = [...new Set(rules.map((r) => Number(r.listen.split("/")[0])))];
        args.description = "ALB: listener ports from the internet; out to the ECS tasks";
        args.ingress = ports.map((port) => ({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] }));
        args.egress = targetPorts.map((port) => ({ protocol: "tcp", fromPort: port, toPort: port, securityGroups: [d.groups.services.id] }));
        return undefined;
      },
    },
  });

  if (!$dev) {
    const albGroup = service.nodes.loadBalancer.securityGroups.apply((ids) => ids?.[0] ?? "");
    for (const port of targetPorts) {
      new aws.vpc.SecurityGroupIngressRule(`ServicesFromAlb${port}`, {
        securityGroupId: d.groups.services.id, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: albGroup,
      });
    }
  }
  return service;
}
