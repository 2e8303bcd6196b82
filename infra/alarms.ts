import type { StageSettings } from "./stage";

interface AlarmDeps {
  cluster: sst.aws.Cluster;
  proxy: sst.aws.Service;
  database: sst.aws.Aurora;
  cache: sst.aws.Redis;
}

/**
 * CloudWatch alarms on the signals that precede an outage, all to one SNS topic (subscribe
 * e-mail, chat or paging to it). Thresholds sit above the scaling targets: an alarm means
 * autoscaling is not keeping up, not that it is working.
 */
export function createAlarms(s: StageSettings, d: AlarmDeps) {
  const topic = new aws.sns.Topic("AlarmTopic");
  // LLM_PROXY_ALARM_EMAIL at deploy (or alarmEmail in overrides.ts).
  if (s.alarmEmail !== undefined) {
    // AWS mails a confirmation link; nothing arrives until it is clicked.
    new aws.sns.TopicSubscription("AlarmEmail", { topic: topic.arn, protocol: "email", endpoint: s.alarmEmail });
  }
  const common = { alarmActions: [topic.arn], okActions: [topic.arn], treatMissingData: "notBreaching" };
  const lb = d.proxy.nodes.loadBalancer.arnSuffix;
  const ecs = { ClusterName: d.cluster.nodes.cluster.name, ServiceName: d.proxy.nodes.service.name };
  const auroraCluster = d.database.nodes.cluster;
  if (auroraCluster === undefined) throw new Error("alarms need the deployed Aurora cluster (not sst dev)");
  const db = { DBClusterIdentifier: auroraCluster.clusterIdentifier };
  const redisNode = d.cache.nodes.cluster.apply((c) => c?.memberClusters.apply((m) => m?.[0] ?? "") ?? "");

  const metric = (name: string, namespace: string, metricName: string, dimensions: Record<string, $util.Input<string>>, threshold: number, statistic = "Average", periods = 3) =>
    new aws.cloudwatch.MetricAlarm(name, {
      ...common,
      namespace,
      metricName,
      dimensions,
      statistic,
      period: 300,
      evaluationPeriods: periods,
      comparisonOperator: "GreaterThanThreshold",
      threshold,
    });

  const alarms = [
    metric("ProxyCpuAlarm", "AWS/ECS", "CPUUtilization", ecs, 90),
    metric("ProxyResponseTimeAlarm", "AWS/ApplicationELB", "TargetResponseTime", { LoadBalancer: lb }, 30),
    metric("DatabaseCpuAlarm", "AWS/RDS", "CPUUtilization", db, 80),
    // ACUUtilization is the share of max ACU in use: near 100 the database cannot grow further.
    metric("DatabaseAcuAlarm", "AWS/RDS", "ACUUtilization", db, 90),
    metric("CacheMemoryAlarm", "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", { CacheClusterId: redisNode }, 80),
    metric("CacheCpuAlarm", "AWS/ElastiCache", "EngineCPUUtilization", { CacheClusterId: redisNode }, 80),
    new aws.cloudwatch.MetricAlarm("Proxy5xxAlarm", {
      ...common,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 3,
      alarmDescription: "5xx responses (proxy and ALB) above 5 % of requests",
      metricQueries: [
        { id: "rate", expression: "100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / MAX([requests, 1])", label: "5xx %", returnData: true },
        ...(
          [
            ["t5xx", "HTTPCode_Target_5XX_Count"],
            ["e5xx", "HTTPCode_ELB_5XX_Count"],
            ["requests", "RequestCount"],
          ] as const
        ).map(([id, metricName]) => ({
          id,
          metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: { LoadBalancer: lb }, period: 300, stat: "Sum" },
        })),
      ],
    }),
    // Target-group ids are internal to SST's Service; a Metrics Insights query covers every
    // target group of the proxy's load balancer without them.
    new aws.cloudwatch.MetricAlarm("ProxyUnhealthyHostsAlarm", {
      ...common,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 3,
      alarmDescription: "Targets failing the ALB health check (/ready)",
      metricQueries: [
        {
          id: "unhealthy",
          expression: $interpolate`SELECT MAX(UnHealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, TargetGroup) WHERE LoadBalancer = '${lb}'`,
          period: 60,
          returnData: true,
        },
      ],
    }),
  ];
  return { topic, alarms };
}
