/// <reference path="./.sst/platform/config.d.ts" />

// Thin on purpose: settings live in infra/stage.ts (pure, unit-tested), resources in one
// infra/*.ts per concern. `sst deploy --stage prod` | `--stage staging` | `sst dev` (personal).
export default $config({
  async app(input) {
    const { resolveStage } = await import("./infra/stage");
    const { stageOverrides } = await import("./infra/overrides");
    const settings = resolveStage(input.stage ?? "dev", stageOverrides, process.env);
    return {
      name: "llm-proxy",
      home: "aws",
      removal: settings.removal,
      protect: settings.protect,
      providers: { aws: { region: settings.region } },
    };
  },
  console: {
    autodeploy: {
      // Same rules as .github/workflows/deploy.yml, for teams that deploy from the SST Console.
      target(event) {
        // Inline: SST forbids top-level imports and target() is synchronous. Mirrors
        // autodeployStage in infra/stage.ts (a synth test checks they agree). The Console runner
        // has no GitHub variables: set DEPLOY_STAGING=true in its environment.
        if (event.action !== "pushed") return undefined;
        if (event.type === "tag" && /^v.*-stable$/.test(event.tag)) return { stage: "prod" };
        if (event.type === "branch" && event.branch === "main" && process.env.DEPLOY_STAGING === "true") return { stage: "staging" };
        return undefined;
      },
    },
  },
  async run() {
    const { assertDeployable, resolveStage } = await import("./infra/stage");
    const { stageOverrides } = await import("./infra/overrides");
    const { createNetwork, createSecurityGroups } = await import("./infra/network");
    const { createSecretStore, createSecrets, storedSecrets } = await import("./infra/secrets");
    const { createDatabase } = await import("./infra/database");
    const { createCache } = await import("./infra/cache");
    const { createCluster } = await import("./infra/cluster");
    const { createProxy } = await import("./infra/proxy");
    const { createDispatcher } = await import("./infra/dispatcher");
    const { createAlarms } = await import("./infra/alarms");

    // LLM_PROXY_DOMAIN / LLM_PROXY_ALARM_EMAIL from the deploying shell (or CI environment).
    const s = resolveStage($app.stage, stageOverrides, process.env);
    assertDeployable($app.stage, s);
    // `sst dev` on local Docker databases instead of the stage's Aurora and Redis: opt-in.
    const devLocal = process.env.LLM_PROXY_DEV_LOCAL === "1";
    const network = createNetwork(s);
    const groups = createSecurityGroups(s, network);
    const secrets = createSecrets();
    const database = createDatabase(s, network, groups, devLocal);
    const cache = createCache(s, network, groups, devLocal);
    const cluster = createCluster(network, groups);
    // Deployed tasks reference their secrets in Secrets Manager; `sst dev` links them instead.
    const store = $dev ? undefined : createSecretStore("TaskSecrets", storedSecrets(secrets, cache.password ?? ""));
    const proxy = createProxy(s, { cluster, network, groups, database, cache, secrets, store });
    createDispatcher(s, { cluster, network, groups, cache, secrets, store });
    const alarms = $dev ? undefined : createAlarms(s, { cluster, proxy, database, cache });

    return { url: proxy.url, alarmTopic: alarms?.topic.arn };
  },
});

