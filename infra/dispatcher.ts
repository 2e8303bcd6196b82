import { httpHealthCommand, serviceNetwork, xrayDaemon, xrayPermissions } from "./cluster";
import type { Network, SecurityGroups } from "./network";
import { stageParameters } from "./parameters";
import type { Secrets } from "./secrets";
import { retentionKey, type StageSettings } from "./stage";

export const DISPATCHER_HTTP_PORT = 9090;

interface DispatcherDeps {
  cluster: sst.aws.Cluster;
  network: Network;
  groups: SecurityGroups;
  cache: sst.aws.Redis;
  secrets: Secrets;
}

/** The event dispatcher: exactly one task (it owns the Redis consumer), no load balancer. */
export function createDispatcher(s: StageSettings, d: DispatcherDeps) {
  const xray = s.enableXRay && !$dev;
  const retention = retentionKey(s.logRetentionDays);
  return new sst.aws.Service("Dispatcher", {
    cluster: d.cluster,
    cpu: s.dispatcherCpu,
    memory: s.dispatcherMemory,
    architecture: s.useArm64 ? "arm64" : "x86_64",
    link: [d.cache, d.secrets.lunaryApiKey, d.secrets.heliconeApiKey],
    permissions: xray ? xrayPermissions : [],
    containers: [
      {
        name: "dispatcher",
        image: { context: ".", dockerfile: "Dockerfile", target: "dispatcher" },
        // Settings from `llm-proxy config:set` (SSM) override these defaults; only listed names apply.
        environment: stageParameters("dispatcher").apply((settings) => ({
          NODE_ENV: "production",
          DISPATCHER_HTTP_ADDR: `:${DISPATCHER_HTTP_PORT}`,
          LOG_FORMAT: "json",
          ...(xray ? { AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" } : {}),
          ...settings,
        })),
        logging: { retention },
        health: { command: httpHealthCommand(DISPATCHER_HTTP_PORT, "/health"), startPeriod: "30 seconds", interval: "30 seconds", timeout: "5 seconds", retries: 3 },
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
