import { httpHealthCommand, serviceNetwork, xrayDaemon, xrayPermissions } from "./cluster";
import type { Network, SecurityGroups } from "./network";
import { parseDuration } from "../packages/config/src/values";
import { stageParameters } from "./parameters";
import { type SecretStore, type Secrets, taskSecrets } from "./secrets";
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
  /** The stage's secrets in Secrets Manager; undefined under `sst dev` (links carry them there). */
  store: SecretStore | undefined;
}

type Rule = { listen: `${number}/${"http" | "https"}`; forward?: `${number}/http`; redirect?: `${number}/https`; container: string };

/** The admin UI's listener port, or undefined when the stage does not serve it (it needs HTTPS). */
export const adminListenerPort = (s: StageSettings) => (s.domainName !== undefined && s.adminUiPort !== false ? s.adminUiPort : undefined);

/**
 * ALB rules: with a domain, HTTPS on 443, 80 only redirects, and the admin UI on its own HTTPS
 * listener; without one (staging or personal stages without LLM_PROXY_DOMAIN), the API over HTTP
 * and no admin UI: its sign-in would travel in clear.
 */
export function proxyRules(s: StageSettings): Rule[] {
  const adminPort = adminListenerPort(s);
  const admin: Rule[] = adminPort === undefined ? [] : [{ listen: `${adminPort}/https`, forward: `${ADMIN_PORT}/http`, container: "proxy" }];
  return s.domainName !== undefined
    ? [{ listen: "80/http", redirect: "443/https", container: "proxy" }, { listen: "443/https", forward: `${PROXY_PORT}/http`, container: "proxy" }, ...admin]
    : [{ listen: "80/http", forward: `${PROXY_PORT}/http`, container: "proxy" }];
}

/** ALB ingress: the admin listener from `adminUiCidrs` only, every other listener from anywhere. */
export function listenerIngress(s: StageSettings) {
  const adminPort = adminListenerPort(s);
  const ports = [...new Set(proxyRules(s).map((r) => Number(r.listen.split("/")[0])))];
  return ports.map((port) => ({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: port === adminPort ? s.adminUiCidrs : ["0.0.0.0/0"] }));
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

/**
 * The ALB closes a connection idle for albIdleTimeoutSeconds with a 504: a STREAM_IDLE_TIMEOUT
 * set longer with `config:set` must come with a longer ALB timeout. A message means refuse.
 */
export function idleTimeoutProblem(albIdleTimeoutSeconds: number, settings: Record<string, string>): string | undefined {
  const stream = settings.STREAM_IDLE_TIMEOUT === undefined ? 300_000 : parseDuration(settings.STREAM_IDLE_TIMEOUT);
  if (stream === undefined || stream <= albIdleTimeoutSeconds * 1000) return undefined;
  return `STREAM_IDLE_TIMEOUT (${settings.STREAM_IDLE_TIMEOUT}) is longer than the load balancer's idle timeout (${albIdleTimeoutSeconds} s): raise albIdleTimeoutSeconds in infra/overrides.ts or lower the setting`;
}

/**
 * DATABASE_URL and REDIS_URL without passwords: DATABASE_PASSWORD and REDIS_PASSWORD arrive as
 * ECS secrets and the proxy joins them in. ElastiCache through SST always requires TLS.
 */
export function dataUrls(d: { database: sst.aws.Aurora; cache: sst.aws.Redis }) {
  return $util.all([d.database.username, d.database.host, d.database.port, d.database.database, d.cache.host, d.cache.port]).apply(([user, host, port, db, redisHost, redisPort]) => ({
    DATABASE_URL: `postgres://${encodeURIComponent(user)}@${host}:${port}/${db}`,
    REDIS_URL: `rediss://${redisHost}:${redisPort}`,
  }));
}

/**
 * The proxy: behind the ALB, autoscaled on CPU and requests per target. Deployed, it gets its
 * secrets as ECS `secrets` and the database and cache as password-less URLs (the passwords are
 * secrets too); under `sst dev` the local process gets links instead.
 */
export function createProxy(s: StageSettings, d: ProxyDeps) {
  const xray = s.enableXRay && !$dev;
  const retention = retentionKey(s.logRetentionDays);
  const rules = proxyRules(s);
  const https = s.domainName !== undefined;
  const admin = adminListenerPort(s) !== undefined;
  const targetPorts = admin ? [PROXY_PORT, ADMIN_PORT] : [PROXY_PORT];
  const parameters = stageParameters("proxy").apply((p) => {
    const problem = idleTimeoutProblem(s.albIdleTimeoutSeconds, p.environment);
    if (problem !== undefined) throw new Error(problem);
    return p;
  });
  const service = new sst.aws.Service("Proxy", {
    cluster: d.cluster,
    cpu: s.proxyCpu,
    memory: s.proxyMemory,
    architecture: s.useArm64 ? "arm64" : "x86_64",
    // Link JSON sits in the task definition in plain text: only `sst dev` (a local process) links.
    link: $dev ? [d.database, d.cache, d.secrets.managementToken, d.secrets.encryptionKey] : [],
    permissions: xray ? xrayPermissions : [],
    containers: [
      {
        name: "proxy",
        image: { context: ".", dockerfile: "Dockerfile", target: "proxy" },
        // Settings from `llm-proxy config:set` (SSM) override these defaults; only listed names apply.
        environment: $util.all([parameters, d.store?.version ?? "", dataUrls(d)]).apply(([p, version, urls]) => ({
          NODE_ENV: "production",
          LISTEN_ADDR: `:${PROXY_PORT}`,
          ADMIN_UI_LISTEN_ADDR: `:${ADMIN_PORT}`,
          ADMIN_UI_ENABLED: String(admin),
          ...(https ? { ADMIN_UI_SECURE_COOKIES: "true", PUBLIC_BASE_URL: `https://${s.domainName}` } : {}),
          REQUIRE_ENCRYPTION_KEY: "true",
          LOG_FORMAT: "json",
          // One hop: the ALB appends the client address to X-Forwarded-For.
          TRUSTED_PROXIES: "1",
          ...($dev ? {} : { SECRETS_VERSION: version, ...urls }),
          ...(xray ? { AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" } : {}),
          ...p.environment,
        })),
        ssm: d.store === undefined ? undefined : taskSecrets(d.store, { MANAGEMENT_TOKEN: "MANAGEMENT_TOKEN", ENCRYPTION_KEY: "ENCRYPTION_KEY", REDIS_PASSWORD: "REDIS_PASSWORD" },
          parameters.apply((p) => ({ ...p.secrets, DATABASE_PASSWORD: $interpolate`${d.database.secretArn}:password::` }))),
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
        // /ready: "this process can serve"; a database blip must not empty the target group.
        [`${PROXY_PORT}/http`]: { path: "/ready", interval: "15 seconds", timeout: "5 seconds", healthyThreshold: 2, unhealthyThreshold: 3 },
        // SST rejects a health check for a port no rule forwards to.
        ...(!admin ? {} : { [`${ADMIN_PORT}/http`]: { path: "/", interval: "30 seconds", successCodes: "200-399" } }),
      },
    },
    wait: true,
    dev: { url: `http://localhost:${PROXY_PORT}` },
    transform: {
      service: { networkConfiguration: serviceNetwork(s.taskSubnets === "public", d.network, d.groups) },
      loadBalancer: (args) => {
        // AWS's default is 60 s: quiet streams and slow completions would get a 504.
        args.idleTimeout = s.albIdleTimeoutSeconds;
        return undefined;
      },
      loadBalancerSecurityGroup: (args) => {
        // The design's ALB group: the listener ports from the internet (admin: adminUiCidrs), out only to the tasks.
        args.description = "ALB: listener ports from the internet; out to the ECS tasks";
        args.ingress = listenerIngress(s);
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
