import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../packages/proxy/test/harness";
import { freePort, startRedisServer, stopRedisServer } from "../../packages/proxy/test/redis-server";
import { postgresUrl, redisUrl } from "../../test/services";
import { platformReady } from "./platform";
import type * as Harness from "./sst-harness";

// The services started exactly as ECS starts them on prod: each container's synthesized
// environment plus its `secrets`, each secret resolved from what the stack stored (the
// TaskSecrets JSON, Aurora's secret, the SecureString parameter). Only what a laptop cannot be
// is changed: hosts point at loopback (a fresh PostgreSQL database, a throwaway redis-server that
// requires the stack's Redis password), the listen ports are free loopback ports, and the
// Redis URL is plain redis:// because the loopback server has no TLS.
const ready = platformReady() && postgresUrl() !== undefined && redisUrl() !== undefined;
const root = path.resolve(import.meta.dirname, "../..");
let h: typeof Harness;
const children: ChildProcess[] = [];
let redis: ChildProcess | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
const logs: Record<string, string> = { proxy: "", dispatcher: "" };
const ports = { proxy: 0, admin: 0, dispatcher: 0, redis: 0 };

const PARAMETERS: Harness.SsmParameters = { "/llm-proxy/prod/METRICS_TOKEN": { value: "metrics-token-standin-0123", type: "SecureString" } };

/** What ECS injects for one `valueFrom`: a Secrets Manager JSON key or an SSM parameter. */
function resolveSecret(valueFrom: string): string {
  const ssm = /^arn:aws:ssm:[^:]+:\d+:parameter(\/.+)$/.exec(valueFrom);
  if (ssm) {
    const p = PARAMETERS[ssm[1] ?? ""];
    if (!p) throw new Error(`no parameter for ${valueFrom}`);
    return p.value;
  }
  const sm = /^arn:aws:mock:[^:]+:\d+:([^:]+):([^:]+)::$/.exec(valueFrom);
  if (!sm) throw new Error(`unexpected valueFrom ${valueFrom}`);
  const version = h.byType("aws:secretsmanager/secretVersion:SecretVersion").find((v) => v.inputs.secretId === `${sm[1]}-id`);
  const raw = version?.inputs.secretString;
  const text = typeof raw === "string" ? raw : (raw as { value: string } | undefined)?.value;
  const value = (JSON.parse(text ?? "{}") as Record<string, string>)[sm[2] ?? ""];
  if (value === undefined) throw new Error(`secret ${sm[1]} has no key ${sm[2]}`);
  return value;
}

/** The container's environment and resolved secrets, as ECS would hand them to the process. */
function taskEnvironment(task: string): Record<string, string> {
  const container = h.first(h.containers(task), `${task} container`);
  const secrets = Object.fromEntries(Object.entries(h.secrets(container)).map(([name, from]) => [name, resolveSecret(from)]));
  return { ...h.env(container), ...secrets };
}

function start(name: "proxy" | "dispatcher", args: string[], env: Record<string, string>) {
  const child = spawn("npm", args, { cwd: root, env: { ...env, PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" }, stdio: "pipe", detached: true });
  child.stdout?.on("data", (d: Buffer) => (logs[name] += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (logs[name] += d.toString()));
  children.push(child);
  return child;
}

async function status(url: string): Promise<number> {
  return fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
}

async function waitFor(url: string, want: number, child: ChildProcess): Promise<number> {
  let got = 0;
  for (let i = 0; i < 120 && got !== want && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 500));
    got = await status(url);
  }
  return got;
}

let proxy: ChildProcess;
let dispatcher: ChildProcess;
let proxyEnv: Record<string, string>;
let dispatcherEnv: Record<string, string>;

describe.runIf(ready)("boot: services started with exactly their prod task definitions", () => {
  beforeAll(async () => {
    h = await import("./sst-harness");
    await h.synth("prod", { env: { LLM_PROXY_DOMAIN: "llm.example.com" }, parameters: PARAMETERS });
    delete process.env.LLM_PROXY_DOMAIN;
    proxyEnv = taskEnvironment("ProxyTask");
    dispatcherEnv = taskEnvironment("DispatcherTask");

    const db = await freshPostgresDatabase();
    dropDatabase = db.drop;
    const local = new URL(db.url);
    // freePort releases its port before returning: the OS may hand the same one out twice.
    const taken = new Set<number>();
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) {
      let port = await freePort();
      for (let i = 0; i < 20 && taken.has(port); i++) port = await freePort();
      taken.add(port);
      ports[key] = port;
    }
    // The stack's Redis password, required by the local server: the join has to work.
    redis = await startRedisServer(ports.redis, ["--requirepass", dispatcherEnv.REDIS_PASSWORD ?? "missing"]);

    const loopback = (env: Record<string, string>) => {
      const out = { ...env };
      if (out.DATABASE_URL) {
        const u = new URL(out.DATABASE_URL);
        u.host = local.host;
        u.pathname = local.pathname;
        out.DATABASE_URL = u.href;
      }
      if (out.REDIS_URL) {
        const u = new URL(out.REDIS_URL);
        out.REDIS_URL = `redis://${u.username ? `${u.username}@` : ""}127.0.0.1:${ports.redis}`;
      }
      return out;
    };
    proxy = start("proxy", ["start"], {
      ...loopback(proxyEnv), LISTEN_ADDR: `127.0.0.1:${ports.proxy}`, ADMIN_UI_LISTEN_ADDR: `127.0.0.1:${ports.admin}`,
    });
    dispatcher = start("dispatcher", ["run", "dispatcher"], { ...loopback(dispatcherEnv), DISPATCHER_HTTP_ADDR: `127.0.0.1:${ports.dispatcher}` });
  }, 240_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.pid === undefined) continue;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }
    if (redis) await stopRedisServer(redis);
    await dropDatabase?.();
  }, 60_000);

  it("hands the tasks their secrets only through `secrets`, the URLs without passwords", () => {
    expect(new URL(proxyEnv.DATABASE_URL ?? "").password).toBe("");
    expect(new URL(proxyEnv.REDIS_URL ?? "").password).toBe("");
    expect(proxyEnv).toMatchObject({ DATABASE_PASSWORD: "DatabasePassword-standin-pw", METRICS_TOKEN: "metrics-token-standin-0123", TRUSTED_PROXIES: "1" });
    expect(dispatcherEnv.REDIS_PASSWORD).toBe("CacheAuthToken-standin-pw");
    expect(dispatcherEnv.DISPATCHER_SERVICE).toBe("stdout");
  });

  it("the proxy comes up: /live and /ready 200, and /health 200 (it reached PostgreSQL and the password-protected Redis)", async () => {
    const base = `http://127.0.0.1:${ports.proxy}`;
    expect(await waitFor(`${base}/ready`, 200, proxy), logs.proxy).toBe(200);
    expect(await status(`${base}/live`)).toBe(200);
    expect(await waitFor(`${base}/health`, 200, proxy), logs.proxy).toBe(200);
  }, 120_000);

  it("the dispatcher comes up on its default sink: /live 200", async () => {
    expect(await waitFor(`http://127.0.0.1:${ports.dispatcher}/live`, 200, dispatcher), logs.dispatcher).toBe(200);
  }, 120_000);

  it("both stay up", async () => {
    await new Promise((r) => setTimeout(r, 5000));
    expect(proxy.exitCode, logs.proxy).toBeNull();
    expect(dispatcher.exitCode, logs.dispatcher).toBeNull();
    expect(await status(`http://127.0.0.1:${ports.proxy}/ready`)).toBe(200);
    expect(await status(`http://127.0.0.1:${ports.dispatcher}/live`)).toBe(200);
    // Nothing secret in what they printed.
    for (const secret of [h.secretStandins.ManagementToken, h.secretStandins.EncryptionKey, "CacheAuthToken-standin-pw", "metrics-token-standin-0123"]) {
      expect(logs.proxy + logs.dispatcher).not.toContain(secret);
    }
  }, 60_000);
});
