import type { Network, SecurityGroups } from "./network";
import type { RetentionKey } from "./stage";

/**
 * The ECS cluster, given our network as a plain object: SST then places tasks in
 * `containerSubnets` (private or public per `taskSubnets`) with our services security group,
 * instead of SST VPC's public subnets and its allow-all-from-VPC group.
 */
export function createCluster(network: Network, groups: SecurityGroups) {
  return new sst.aws.Cluster("Cluster", {
    vpc: {
      id: network.vpcId,
      securityGroups: [groups.services.id],
      containerSubnets: network.taskSubnets,
      loadBalancerSubnets: network.publicSubnets,
    },
  });
}

/**
 * Network settings for an ECS service. SST only assigns public IPs in its own VPC; with
 * `taskSubnets: "public"` our tasks need one to reach ECR and the LLM upstreams without NAT.
 */
export function serviceNetwork(publicIp: boolean, network: Network, groups: SecurityGroups) {
  return {
    assignPublicIp: publicIp,
    subnets: network.taskSubnets,
    securityGroups: [groups.services.id],
  };
}

/** The X-Ray daemon as a sidecar: the app sends segments to 127.0.0.1:2000 (UDP). */
export function xrayDaemon(retention: RetentionKey) {
  return {
    name: "xray",
    image: "public.ecr.aws/xray/aws-xray-daemon:3.3.14",
    command: ["--bind", "0.0.0.0:2000", "--bind-tcp", "0.0.0.0:2000"],
    logging: { retention },
  };
}

export const xrayPermissions = [
  { actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], resources: ["*"] },
];

/** A container health check that needs nothing but node (no curl in the image). */
export const httpHealthCommand = (port: number, path: string) => [
  "CMD",
  "node",
  "-e",
  `fetch("http://127.0.0.1:${port}${path}").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
];
