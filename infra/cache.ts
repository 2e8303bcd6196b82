import type { Network, SecurityGroups } from "./network";
import type { StageSettings } from "./stage";

/**
 * ElastiCache Redis in the data subnets. SST always enables TLS (required) and an AUTH token;
 * clients connect with TLS, user `default` and the password (REDIS_PASSWORD, an ECS secret). Cluster mode is off unless
 * configured: SST's default is on, and the proxy wants one primary endpoint.
 */
export function createCache(s: StageSettings, network: Network, groups: SecurityGroups, devLocal = false) {
  const replicas = !s.redisClusterMode && s.redisNumNodes > 1;
  return new sst.aws.Redis("Cache", {
    engine: "redis",
    instance: s.redisNodeType,
    cluster: s.redisClusterMode ? { nodes: s.redisNumNodes } : false,
    vpc: { subnets: network.dataSubnets, securityGroups: [groups.cache.id] },
    // LLM_PROXY_DEV_LOCAL=1: `sst dev` uses a local Redis (plain, no TLS) instead of ElastiCache.
    dev: devLocal ? { host: "localhost", port: 6379 } : undefined,
    transform: {
      cluster: (args) => {
        // Non-cluster replicas: SST creates a single node; a replica adds failover across zones.
        if (replicas) {
          args.numCacheClusters = s.redisNumNodes;
          args.automaticFailoverEnabled = true;
          args.multiAzEnabled = true;
        }
        return undefined;
      },
    },
  });
}
