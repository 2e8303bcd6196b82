import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// prod with a domain, an alarm e-mail and X-Ray, as a team would configure it in overrides.ts.
const ready = platformReady();
let h: typeof Harness;

describe.runIf(ready)("synth: prod", () => {
  beforeAll(async () => {
    const overrides = await import("../overrides");
    // The domain and alarm address come from the deploying shell; the zone from overrides.
    overrides.stageOverrides.prod = { hostedZoneId: "ZMOCK", enableXRay: true, adminUiCidrs: ["203.0.113.0/24"] };
    h = await import("./sst-harness");
    const { app } = await h.synth("prod", {
      env: { LLM_PROXY_DOMAIN: "llm.example.com", LLM_PROXY_ALARM_EMAIL: "ops@example.com" },
      secrets: sinkSecrets,
      parameters: {
        "/llm-proxy/prod/DISPATCHER_SERVICE": { value: "lunary", type: "String" },
        "/llm-proxy/prod/METRICS_TOKEN": { value: "metrics-token-standin", type: "SecureString" },
      },
    });
    expect(app).toMatchObject({ name: "llm-proxy", removal: "retain", protect: true });
  });
  afterAll(() => {
    delete process.env.LLM_PROXY_DOMAIN;
    delete process.env.LLM_PROXY_ALARM_EMAIL;
  });

  const sinkSecrets = { LunaryApiKey: "lunary-key-standin", HeliconeApiKey: "helicone-key-standin", DispatcherWebhookSecret: "webhook-secret-standin" };
  const standins = () => [
    ...Object.values({ ...h.secretStandins, ...sinkSecrets }).filter((v) => v !== ""),
    "metrics-token-standin", "DatabasePassword-standin-pw", "CacheAuthToken-standin-pw",
  ];
  const store = "arn:aws:mock:us-east-1:123456789012:TaskSecrets";

  it("puts every secret into the tasks as ECS secrets, none in a task definition's environment", () => {
    const tasks = h.byType("aws:ecs/taskDefinition:TaskDefinition").map((t) => t.name);
    expect(tasks.sort()).toEqual(["DispatcherTask", "ProxyTask"]);
    for (const task of tasks) {
      for (const c of h.containers(task)) {
        const text = JSON.stringify(c.environment);
        for (const secret of standins()) expect(text, `${task}/${c.name} environment`).not.toContain(secret);
        // A link carries its properties (passwords, secret values) as JSON in the environment.
        expect(c.environment.map((e) => e.name).filter((n) => n.startsWith("SST_RESOURCE_") && n !== "SST_RESOURCE_App"), task).toEqual([]);
      }
    }
    const proxy = h.first(h.containers("ProxyTask"));
    expect(h.secrets(proxy)).toEqual({
      MANAGEMENT_TOKEN: `${store}:MANAGEMENT_TOKEN::`,
      ENCRYPTION_KEY: `${store}:ENCRYPTION_KEY::`,
      REDIS_PASSWORD: `${store}:REDIS_PASSWORD::`,
      DATABASE_PASSWORD: "arn:aws:mock:us-east-1:123456789012:DatabaseProxySecret:password::",
      METRICS_TOKEN: "arn:aws:ssm:us-east-1:123456789012:parameter/llm-proxy/prod/METRICS_TOKEN",
    });
    const dispatcher = h.first(h.containers("DispatcherTask"));
    expect(h.secrets(dispatcher)).toEqual({
      REDIS_PASSWORD: `${store}:REDIS_PASSWORD::`,
      LLM_PROXY_API_KEY: `${store}:LUNARY_API_KEY::`,
      DISPATCHER_WEBHOOK_SECRET: `${store}:DISPATCHER_WEBHOOK_SECRET::`,
    });
  });

  it("creates exactly the Secrets Manager secrets the cost model counts", async () => {
    const { stackSecrets } = await import("../cost");
    expect(h.byType("aws:secretsmanager/secret:Secret").map((x) => x.name).sort()).toEqual(["CacheProxySecret", "DatabaseProxySecret", "TaskSecrets"]);
    expect(stackSecrets).toBe(3);
  });

  it("stores the secret values in one Secrets Manager secret, keyed by variable", () => {
    expect(h.one("aws:secretsmanager/secret:Secret", "TaskSecrets").inputs).toMatchObject({ recoveryWindowInDays: 0 });
    const raw = h.one("aws:secretsmanager/secretVersion:SecretVersion", "TaskSecretsVersion").inputs.secretString;
    const stored = JSON.parse(typeof raw === "string" ? raw : (raw as { value: string }).value) as Record<string, string>;
    expect(stored).toEqual({
      MANAGEMENT_TOKEN: h.secretStandins.ManagementToken, ENCRYPTION_KEY: h.secretStandins.EncryptionKey, REDIS_PASSWORD: "CacheAuthToken-standin-pw",
      LUNARY_API_KEY: "lunary-key-standin", HELICONE_API_KEY: "helicone-key-standin", DISPATCHER_WEBHOOK_SECRET: "webhook-secret-standin",
    });
    // A new value changes the environment, so `sst deploy` after `sst secret set` rolls the tasks.
    for (const task of ["ProxyTask", "DispatcherTask"]) expect(h.env(h.first(h.containers(task))).SECRETS_VERSION).toBe("TaskSecretsVersion-v1");
  });

  it("gives the proxy password-less data URLs, TRUSTED_PROXIES=1 and secure admin cookies", () => {
    const env = h.env(h.first(h.containers("ProxyTask")));
    expect(env).toMatchObject({
      DATABASE_URL: "postgres://postgres@db.cluster.local:5432/llm_proxy",
      REDIS_URL: "rediss://redis.local:6379",
      TRUSTED_PROXIES: "1",
      ADMIN_UI_ENABLED: "true",
      ADMIN_UI_SECURE_COOKIES: "true",
      PUBLIC_BASE_URL: "https://llm.example.com",
    });
  });

  it("starts the dispatcher on its stage's sink settings, checked on /live", () => {
    const dispatcher = h.first(h.containers("DispatcherTask"));
    expect(h.env(dispatcher)).toMatchObject({ DISPATCHER_SERVICE: "lunary", REDIS_URL: "rediss://redis.local:6379", DISPATCHER_HTTP_ADDR: ":9090" });
    expect(dispatcher.healthCheck?.command.join(" ")).toContain("127.0.0.1:9090/live");
  });

  it("keeps the load balancer's idle timeout at the proxy's 300 s stream idle timeout", () => {
    expect(h.one("aws:lb/loadBalancer:LoadBalancer", "ProxyLoadBalancer").inputs.idleTimeout).toBe(300);
  });

  it("runs the proxy task at 0.25 vCPU / 512 MB on ARM64 with the X-Ray sidecar", () => {
    const td = h.one("aws:ecs/taskDefinition:TaskDefinition", "ProxyTask");
    expect(td.inputs).toMatchObject({ cpu: "256", memory: "512", runtimePlatform: { cpuArchitecture: "ARM64" } });
    const all = h.containers("ProxyTask");
    expect(all.map((c) => c.name)).toEqual(["proxy", "xray"]);
    const proxy = h.first(all, "container");
    const env = h.env(proxy);
    expect(env).toMatchObject({ LISTEN_ADDR: ":8080", ADMIN_UI_LISTEN_ADDR: ":8081", REQUIRE_ENCRYPTION_KEY: "true", AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" });
    expect(proxy.healthCheck?.command.join(" ")).toContain("127.0.0.1:8080/live");
    expect(proxy.image).toMatch(/sst-asset@sha256:mock/);
  });

  it("autoscales 1–4 tasks on CPU 70 % and 500 requests/target, 2 min out / 10 min in, not on memory", () => {
    const target = h.one("aws:appautoscaling/target:Target", "ProxyAutoScalingTarget");
    expect(target.inputs).toMatchObject({ minCapacity: 1, maxCapacity: 4 });
    type Tt = { predefinedMetricSpecification: { predefinedMetricType: string }; targetValue: number; scaleInCooldown: number; scaleOutCooldown: number };
    const policies = h.byType("aws:appautoscaling/policy:Policy").filter((p) => p.name.startsWith("Proxy"))
      .map((p) => p.inputs.targetTrackingScalingPolicyConfiguration as Tt);
    expect(Object.fromEntries(policies.map((p) => [p.predefinedMetricSpecification.predefinedMetricType, p.targetValue]))).toEqual({
      ECSServiceAverageCPUUtilization: 70,
      ALBRequestCountPerTarget: 500,
    });
    for (const p of policies) expect(p).toMatchObject({ scaleOutCooldown: 120, scaleInCooldown: 600 });
  });

  it("serves HTTPS on 443 with an ACM certificate, 80 only redirects, the admin UI on 8443/HTTPS from its CIDRs; targets check /ready", () => {
    const listeners = h.byType("aws:lb/listener:Listener").map((l) => l.inputs as { port: number; protocol: string; certificateArn?: string; defaultActions: { type: string; redirect?: { port: string } }[] });
    const byPort = Object.fromEntries(listeners.map((l) => [l.port, l]));
    expect(Object.keys(byPort).sort()).toEqual(["443", "80", "8443"]);
    expect(byPort[80]?.defaultActions[0]).toMatchObject({ type: "redirect", redirect: { port: "443", protocol: "HTTPS" } });
    expect(byPort[443]).toMatchObject({ protocol: "HTTPS", defaultActions: [{ type: "forward" }] });
    expect(byPort[443]?.certificateArn).toBeTruthy();
    expect(byPort[8443]).toMatchObject({ protocol: "HTTPS" });
    expect(h.byType("aws:acm/certificate:Certificate").map((c) => c.inputs.domainName)).toEqual(["llm.example.com"]);
    const health = h.byType("aws:lb/targetGroup:TargetGroup").map((t) => [t.inputs.port, (t.inputs.healthCheck as { path: string }).path]);
    expect(health).toEqual(expect.arrayContaining([[8080, "/ready"], [8081, "/"]]));
    const ingress = (h.one("aws:ec2/securityGroup:SecurityGroup", "ProxyLoadBalancerSecurityGroup").inputs.ingress as { fromPort: number; cidrBlocks: string[] }[]);
    expect(Object.fromEntries(ingress.map((r) => [r.fromPort, r.cidrBlocks]))).toEqual({ 80: ["0.0.0.0/0"], 443: ["0.0.0.0/0"], 8443: ["203.0.113.0/24"] });
  });

  it("runs Aurora PostgreSQL Serverless v2 at 0.5–4 ACU, protected, in the data subnets", () => {
    const c = h.one("aws:rds/cluster:Cluster", "DatabaseCluster");
    expect(c.inputs).toMatchObject({ engine: "aurora-postgresql", serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 }, deletionProtection: true, backupRetentionPeriod: 7, skipFinalSnapshot: false });
    expect(c.inputs.vpcSecurityGroupIds).toEqual(["sg-DatabaseSecurityGroup"]);
    expect(h.byType("aws:rds/clusterInstance:ClusterInstance")).toHaveLength(1);
    expect(h.one("aws:rds/subnetGroup:SubnetGroup", "DatabaseSubnetGroup").inputs.subnetIds).toEqual(["VpcDataSubnet1-id", "VpcDataSubnet2-id"]);
  });

  it("runs Redis t4g.micro, one node, cluster mode off, TLS + AUTH", () => {
    const rg = h.one("aws:elasticache/replicationGroup:ReplicationGroup", "CacheCluster");
    expect(rg.inputs).toMatchObject({ engine: "redis", nodeType: "cache.t4g.micro", clusterMode: "disabled", transitEncryptionEnabled: true, transitEncryptionMode: "required", securityGroupIds: ["sg-CacheSecurityGroup"] });
    expect(rg.inputs.authToken).toBeTruthy();
    expect(rg.inputs.numCacheClusters).toBeUndefined();
  });

  it("puts tasks in private subnets without public IPs, behind one NAT gateway", () => {
    expect(h.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    for (const name of ["ProxyService", "DispatcherService"]) {
      expect(h.one("aws:ecs/service:Service", name).inputs.networkConfiguration).toEqual({
        assignPublicIp: false, subnets: ["VpcPrivateSubnet1-id", "VpcPrivateSubnet2-id"], securityGroups: ["sg-ServicesSecurityGroup"],
      });
    }
    for (const i of [1, 2]) {
      expect(h.one("aws:ec2/routeTable:RouteTable", `VpcPrivateRouteTable${i}`).inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: "VpcNatGateway1-id" }]);
    }
    expect(h.one("aws:ec2/routeTable:RouteTable", "VpcDataRouteTable").inputs.routes).toEqual([]);
  });

  it("applies the design's security-group table", () => {
    const sg = (name: string) => h.one("aws:ec2/securityGroup:SecurityGroup", name).inputs as { ingress?: Record<string, unknown>[]; egress?: Record<string, unknown>[] };
    expect(sg("DatabaseSecurityGroup")).toMatchObject({ ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-ServicesSecurityGroup"] }], egress: [] });
    expect(sg("CacheSecurityGroup")).toMatchObject({ ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-ServicesSecurityGroup"] }], egress: [] });
    const alb = sg("ProxyLoadBalancerSecurityGroup");
    expect(alb.ingress?.map((r) => r.fromPort).sort()).toEqual([443, 80, 8443]);
    expect(alb.egress).toEqual([8080, 8081].map((p) => ({ protocol: "tcp", fromPort: p, toPort: p, securityGroups: ["sg-ServicesSecurityGroup"] })));
    const rules = (type: string) => h.byType(type).map((r) => [r.name, r.inputs.fromPort, r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4]);
    expect(rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual([
      ["ServicesFromAlb8080", 8080, "sg-ProxyLoadBalancerSecurityGroup"],
      ["ServicesFromAlb8081", 8081, "sg-ProxyLoadBalancerSecurityGroup"],
    ]);
    expect(rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").sort()).toEqual([
      ["ServicesToCache", 6379, "sg-CacheSecurityGroup"],
      ["ServicesToDatabase", 5432, "sg-DatabaseSecurityGroup"],
      ["ServicesToInternet443", 443, "0.0.0.0/0"],
    ]);
  });

  it("keeps logs 14 days and alarms to an SNS topic with an e-mail subscription", () => {
    const retention = h.byType("aws:cloudwatch/logGroup:LogGroup").map((l) => [l.name, l.inputs.retentionInDays]);
    expect(retention.length).toBeGreaterThanOrEqual(3);
    for (const [, days] of retention) expect(days).toBe(14);
    expect(h.one("aws:sns/topicSubscription:TopicSubscription", "AlarmEmail").inputs).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
    const alarms = Object.fromEntries(h.byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.name, a.inputs]));
    expect(Object.keys(alarms).sort()).toEqual([
      "CacheCpuAlarm", "CacheMemoryAlarm", "DatabaseAcuAlarm", "DatabaseCpuAlarm", "Proxy5xxAlarm", "ProxyCpuAlarm", "ProxyResponseTimeAlarm", "ProxyUnhealthyHostsAlarm",
    ]);
    expect(alarms.DatabaseCpuAlarm).toMatchObject({ namespace: "AWS/RDS", dimensions: { DBClusterIdentifier: "llm-proxy-db" } });
    expect(alarms.CacheMemoryAlarm).toMatchObject({ dimensions: { CacheClusterId: "llm-proxy-cache-001" } });
    expect(alarms.ProxyResponseTimeAlarm).toMatchObject({ dimensions: { LoadBalancer: "app/ProxyLoadBalancer/abc123" } });
    const unhealthy = (alarms.ProxyUnhealthyHostsAlarm?.metricQueries as { expression: string }[])[0]?.expression;
    expect(unhealthy).toContain("WHERE LoadBalancer = 'app/ProxyLoadBalancer/abc123'");
    for (const a of Object.values(alarms)) expect(a.alarmActions).toEqual(["arn:aws:mock:us-east-1:123456789012:AlarmTopic"]);
  });

  it("runs one dispatcher task with no load balancer", () => {
    expect(h.one("aws:ecs/service:Service", "DispatcherService").inputs.desiredCount).toBe(1);
    expect(h.byType("aws:lb/loadBalancer:LoadBalancer").map((l) => l.name)).toEqual(["ProxyLoadBalancer"]);
  });
});
