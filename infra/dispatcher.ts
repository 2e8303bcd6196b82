import { httpHealthCommand, serviceNetwork, xrayDaemon, xrayPermissions } from "./cluster";
import type { Network, SecurityGroups } from "./network";
import { stageParameters } from "./parameters";
import { type SecretStore, type Secrets, sinkKeyName, taskSecrets } from "./secrets";
import { retentionKey, type StageSettings } from "./stage";

export const DISPATCHER_HTTP_PORT = 9090;

interface DispatcherDeps {
  cluster: sst.aws.Cluster;
  network: Network;
  groups: SecurityGroups;
  cache: sst.aws.Redis;
  secrets: Secrets;
  /** The stage's secrets in Secrets Manager; undefined under `sst dev`. */
  store: SecretStore | undefined;
}

/**
 * The event dispatcher: exactly one task (it owns the Redis consumer), no load balancer. With no
 * settings it writes events to stdout (its CloudWatch log group); `config:set DISPATCHER_SERVICE`
 * picks Lunary, Helicone or a webhook, whose key or signing secret arrives as an ECS secret.
 */
export function createDispatcher(s: StageSettings, d: DispatcherDeps) {
  const xray = s.enableXRay && !$dev;
  const retention = retentionKey(s.logRetentionDays);
  const parameters = stageParameters("dispatcher");
  const sink = parameters.apply((p) => p.environment.DISPATCHER_SERVICE);
  const redisUrl = $interpolate`rediss://${d.cache.host}:${d.cache.port}`;
  return new sst.aws.Service("Dispatcher", {
    cluster: d.cluster,
    cpu: s.dispatcherCpu,
    memory: s.dispatcherMemory,
    architecture: s.useArm64 ? "arm64" : "x86_64",
    // Link JSON sits in the task definition in plain text: only `sst dev` (a local process) links.
    link: $dev ? [d.cache, d.secrets.lunaryApiKey, d.secrets.heliconeApiKey, d.secrets.dispatcherWebhookSecret] : [],
    permissions: xray ? xrayPermissions : [],
    containers: [
      {
        name: "dispatcher",
        image: { context: ".", dockerfile: "Dockerfile", target: "dispatcher" },
        // Settings from `llm-proxy config:set` (SSM) override these defaults; only listed names apply.
        environment: $util.all([parameters, d.store?.version ?? "", redisUrl]).apply(([p, version, redis]) => ({
          NODE_ENV: "production",
          DISPATCHER_HTTP_ADDR: `:${DISPATCHER_HTTP_PORT}`,
          DISPATCHER_SERVICE: "stdout",
          LOG_FORMAT: "json",
          ...($dev ? {} : { SECRETS_VERSION: version, REDIS_URL: redis }),
          ...(xray ? { AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" } : {}),
          ...p.environment,
        })),
        ssm: d.store === undefined ? undefined : $util.all([sink, parameters]).apply(([name, p]) =>
          taskSecrets(d.store as SecretStore, { REDIS_PASSWORD: "REDIS_PASSWORD", DISPATCHER_WEBHOOK_SECRET: "DISPATCHER_WEBHOOK_SECRET", LLM_PROXY_API_KEY: sinkKeyName(name) }, p.secrets)),
        logging: { retention },
        health: { command: httpHealthCommand(DISPATCHER_HTTP_PORT, "/live"), startPeriod: "30 seconds", interval: "30 seconds", timeout: "5 seconds", retries: 3 },
        dev: { command: "npx tsx watch packages/dispatcher/src/main.ts", directory: "." },
      },
      ...(xray ? [xrayDaemon(retention)] : []),
    ],
    scaling: { min: 1, max: 1, cpuUtilization: false, memoryUtilization: false },
    wait: true,
    transform: {
      service: { networkConfiguration: serviceNetwork(s.taskSubnets === "public", d.network, d.groups) },
    },
  });
}
