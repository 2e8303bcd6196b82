// Recreates what `sst deploy` sets up around sst.config.ts (pkg/project/run.go defines $app,
// $cli, $dev and injects the platform shim; globals sst and aws), with Pulumi unit-test mocks
// instead of an engine and providers. Import it only after platformReady(): it loads
// .sst/platform. Leans on SST internals (RPC method name, globals, $cli.state.version), which is
// why sst is pinned exactly.
import * as pulumi from "@pulumi/pulumi";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export const created: Recorded[] = [];
/** Every resource and invoke the program made: progress while it grows. */
let activity = 0;
type Inputs = Record<string, unknown>;
const g = globalThis as unknown as Record<string, unknown>;

/** Answers the one build-time RPC SST makes (Service image builds ask for the asset ECR repo),
 *  after `delayMs` (a slow SST server: settle() must still wait for what follows the answer). */
async function startRpcServer(delayMs = 0) {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", async () => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const { method, id } = JSON.parse(body || "{}") as { method?: string; id?: unknown };
      const result =
        method === "Provider.Aws.Bootstrap"
          ? { asset: "sst-asset-bucket", assetEcrRegistryId: "123456789012", assetEcrUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sst-asset", state: "sst-state", appsyncHttp: "", appsyncRealtime: "" }
          : null;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ id, result, error: result ? null : `rpc: can't find ${method}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  process.env.SST_SERVER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Outputs AWS computes that SST reads back (endpoints, ids, validation records). */
const computed: Record<string, (inputs: Inputs, name: string) => Inputs> = {
  "aws:rds/cluster:Cluster": (i) => ({ endpoint: "db.cluster.local", readerEndpoint: "db-ro.cluster.local", port: 5432, clusterIdentifier: "llm-proxy-db", masterUsername: i.masterUsername }),
  "aws:rds/clusterInstance:ClusterInstance": () => ({ port: 5432, endpoint: "db-1.local" }),
  "aws:acm/certificate:Certificate": (i) => ({
    domainValidationOptions: [{ domainName: i.domainName, resourceRecordName: `_x.${String(i.domainName)}.`, resourceRecordType: "CNAME", resourceRecordValue: "_y.acm-validations.aws." }],
  }),
  "aws:elasticache/replicationGroup:ReplicationGroup": (i) => ({
    primaryEndpointAddress: "redis.local", configurationEndpointAddress: "redis-cfg.local", port: i.port ?? 6379, clusterEnabled: i.clusterMode === "enabled", memberClusters: ["llm-proxy-cache-001"],
  }),
  "aws:lb/loadBalancer:LoadBalancer": (_i, n) => ({ dnsName: `${n}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K", arnSuffix: `app/${n}/abc123` }),
  "aws:ec2/securityGroup:SecurityGroup": (_i, n) => ({ id: `sg-${n}` }),
  "aws:ec2/instance:Instance": (_i, n) => ({ primaryNetworkInterfaceId: `eni-${n}` }),
  "random:index/randomPassword:RandomPassword": (_i, n) => ({ result: `${n}-standin-pw` }),
  "random:index/randomString:RandomString": () => ({ result: "mockstr" }),
  "docker-build:index:Image": () => ({ digest: "sha256:mock", ref: "mock" }),
  "aws:secretsmanager/secretVersion:SecretVersion": (i, n) => ({ secretString: i.secretString, versionId: `${n}-v1` }),
};

/** SSM parameters by full name, as `llm-proxy config:set` writes them. */
export type SsmParameters = Record<string, { value: string; type: "String" | "SecureString" }>;

/** Stand-ins for every `sst secret set` value (what the CLI loads from the state bucket at deploy). */
export const secretStandins = {
  ManagementToken: "mgmt-token-0123456789abcdef",
  EncryptionKey: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
  LunaryApiKey: "",
  HeliconeApiKey: "",
  DispatcherWebhookSecret: "",
};

/** Every lookup of SSM parameters the stage made (their inputs). */
export const ssmLookups: Record<string, unknown>[] = [];

function installMocks(stage: string, parameters: SsmParameters) {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        activity++;
        const inputs = args.inputs as Inputs;
        created.push({ type: args.type, name: args.name, inputs });
        const extra = computed[args.type]?.(inputs, args.name) ?? {};
        return {
          id: typeof extra.id === "string" ? extra.id : `${args.name}-id`,
          state: { arn: `arn:aws:mock:us-east-1:123456789012:${args.name}`, name: inputs.name ?? args.name, ...inputs, tagsAll: inputs.tags ?? {}, ...extra },
        };
      },
      call(args) {
        activity++;
        switch (args.token) {
          case "aws:index/getRegion:getRegion": return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
          case "aws:index/getPartition:getPartition": return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          case "aws:index/getCallerIdentity:getCallerIdentity": return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/t", userId: "x" };
          case "aws:index/getAvailabilityZones:getAvailabilityZones": return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az3"], id: "us-east-1" };
          case "aws:ec2/getAmi:getAmi": return { id: "ami-0123456789abcdef0", architecture: "arm64" };
          case "aws:route53/getZone:getZone": return { zoneId: "ZMOCK", id: "ZMOCK", name: "example.com" };
          case "aws:ssm/getParametersByPath:getParametersByPath": {
            ssmLookups.push(args.inputs as Inputs);
            const entries = Object.entries(parameters);
            // Like AWS: SecureString values come back encrypted unless withDecryption.
            const decrypt = (args.inputs as Inputs).withDecryption === true;
            return {
              ...(args.inputs as Inputs),
              names: entries.map(([n]) => n),
              values: entries.map(([, p]) => (p.type === "SecureString" && !decrypt ? "AQICAHencrypted" : p.value)),
              types: entries.map(([, p]) => p.type),
            };
          }
          case "aws:ecr/getAuthorizationToken:getAuthorizationToken": return { proxyEndpoint: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", password: "x", userName: "AWS", id: "x" };
          default: return args.inputs as Inputs;
        }
      },
    },
    "llm-proxy",
    stage,
    false, // not a preview: apply() callbacks run, so nested resources get created
  );
}

interface SstConfig {
  app(input: { stage: string }): Promise<Record<string, unknown>> | Record<string, unknown>;
  run(): Promise<Record<string, unknown> | undefined>;
  console?: { autodeploy?: { target?(event: unknown): { stage: string | string[] } | undefined } };
}

/** Runs sst.config.ts for `stage` (in `sst dev` mode when dev) and waits for resources to settle. */
export async function synth(stage: string, opts: { dev?: boolean; secrets?: Partial<typeof secretStandins>; parameters?: SsmParameters; env?: Record<string, string>; rpcDelayMs?: number } = {}) {
  await startRpcServer(opts.rpcDelayMs);
  installMocks(stage, opts.parameters ?? {});
  // What `sst secret set` provides at deploy.
  for (const [name, value] of Object.entries({ ...secretStandins, ...opts.secrets })) {
    process.env[`SST_SECRET_${name}`] = value;
  }
  // The deploying shell's environment (LLM_PROXY_DOMAIN, LLM_PROXY_ALARM_EMAIL, LLM_PROXY_DEV_LOCAL).
  for (const [name, value] of Object.entries(opts.env ?? {})) process.env[name] = value;
  const dev = opts.dev ?? false;
  g.$app = { name: "llm-proxy", stage, removal: "remove", protect: false, providers: { aws: { region: "us-east-1" } } };
  g.$dev = dev;
  g.$cli = { command: dev ? "dev" : "deploy", dev, paths: { root: process.cwd(), home: "/tmp/sst-home", work: ".sst", platform: ".sst/platform" }, state: { version: {} } };
  g.$util = pulumi;
  g.$output = pulumi.output;
  g.$resolve = pulumi.all;
  g.$interpolate = pulumi.interpolate;
  g.$concat = pulumi.concat;
  g.$jsonParse = pulumi.jsonParse;
  g.$jsonStringify = pulumi.jsonStringify;
  const component = await import("../../.sst/platform/src/components/component");
  g.$transform = component.$transform;
  g.$asset = component.$asset;
  g.$config = (await import("../../.sst/platform/src/config")).$config;
  g.sst = await import("../../.sst/platform/src/components");
  g.aws = await import("@pulumi/aws");

  const config = (await import("../../sst.config")).default as unknown as SstConfig;
  const app = await config.app({ stage });
  const outputs = await config.run();
  await settle();
  return { app, outputs, config };
}

/** Pulumi's own outstanding-work promise: every resource registration and invoke holds it open,
 *  including while a resource's inputs wait on SST's build-time RPCs. Internal to
 *  @pulumi/pulumi's runtime, which is why the platform version is pinned. */
const runtime = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };

/** A failed program (an apply that threw): Pulumi stops there, and so does settle(). */
let failProgram: () => void = () => {};
const programFailed = new Promise<void>((resolve) => (failProgram = resolve));
process.once("unhandledRejection", () => failProgram());

/**
 * Done when Pulumi has no outstanding RPCs and a turn of the event loop (every apply callback
 * those RPCs resolved has run) started no new resource or invoke, or when the program
 * failed (its pending resources never register). Bounded, not timed.
 */
export async function settle(maxRounds = 10_000) {
  for (let round = 0; round < maxRounds; round++) {
    const before = activity;
    if ((await Promise.race([runtime.waitForRPCs().then(() => false), programFailed.then(() => true)])) === true) return;
    await nextTurn();
    if (activity === before) return;
  }
  throw new Error(`synth did not settle after ${maxRounds} rounds of Pulumi work`);
}

export const byType = (type: string) => created.filter((r) => r.type === type);

export function one(type: string, name: string): Recorded {
  const r = created.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} named ${name}; have: ${byType(type).map((x) => x.name).join(", ")}`);
  return r;
}

/** Resolves a Pulumi output (e.g. a stack output) in the mock runtime. */
export const resolve = <T>(value: unknown) =>
  new Promise<T>((r) => (pulumi.Output.isInstance(value) ? (value as pulumi.Output<T>).apply((v) => r(v)) : r(value as T)));

export interface ContainerDefinition {
  name: string;
  image: string;
  environment: { name: string; value: string }[];
  healthCheck?: { command: string[] };
  secrets?: { name: string; valueFrom: string }[];
  logConfiguration: { options: Record<string, string> };
}

/** Task-definition containers; secret-tainted inputs arrive as {<sig>, value}. */
export function containers(taskName: string): ContainerDefinition[] {
  const raw = one("aws:ecs/taskDefinition:TaskDefinition", taskName).inputs.containerDefinitions;
  const text = typeof raw === "string" ? raw : (raw as { value: string }).value;
  return JSON.parse(text) as ContainerDefinition[];
}

export const env = (c: ContainerDefinition) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));

/** ECS `secrets` of a container: variable → valueFrom. */
export const secrets = (c: ContainerDefinition) => Object.fromEntries((c.secrets ?? []).map((e) => [e.name, e.valueFrom]));

/** The first item, or a failure naming what was expected. */
export function first<T>(items: T[], what = "item"): T {
  const item = items[0];
  if (item === undefined) throw new Error(`expected at least one ${what}`);
  return item;
}
