import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { freePort, startRedisServer, stopRedisServer } from "../../proxy/test/redis-server.js";
import { makeEvent, publish, spawnDispatcher, stopChild, waitFor } from "./helpers.js";

/**
 * The shared TLS rule on real connections: an SST Cache link to loopback is plain Redis (the
 * `sst dev` case that used to fail with forced TLS), and `rediss://` really speaks TLS.
 */
describe("dispatcher Redis connections", { timeout: 120_000 }, () => {
  const password = "link-pass";
  let dir: string;
  let server: ChildProcess;
  let port: number;
  let tlsPort: number;
  let redis: Redis;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dispatcher-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    [port, tlsPort] = [await freePort(), await freePort()];
    server = await startRedisServer(port, ["--tls-port", String(tlsPort), "--tls-cert-file", join(dir, "cert.pem"), "--tls-key-file", join(dir, "key.pem"), "--tls-auth-clients", "no", "--requirepass", password]);
    redis = new Redis(`redis://default:${password}@127.0.0.1:${port}`);
  });
  afterAll(async () => {
    redis.disconnect();
    await stopRedisServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  async function delivers(env: Record<string, string>, stream: string): Promise<void> {
    const child = spawnDispatcher({ REDIS_STREAM_KEY: stream, REDIS_STREAM_BLOCK_TIME: "200ms", ...env });
    const seen = new Set<string>();
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) seen.add((JSON.parse(line) as { id: string }).id);
    });
    try {
      const events = [makeEvent(), makeEvent()];
      await publish(redis, stream, events);
      await waitFor(() => events.every((e) => seen.has(e.id)), 40_000, `delivery from ${stream}`);
      expect(child.exitCode).toBeNull();
    } finally {
      await stopChild(child, "SIGKILL");
    }
  }

  it("reads an SST Cache link to loopback as plain Redis", async () => {
    await delivers({ SST_RESOURCE_Cache: JSON.stringify({ host: "127.0.0.1", port, username: "default", password }) }, "link-plain");
  });

  it("speaks TLS for rediss://, with the password from REDIS_PASSWORD", async () => {
    await delivers({ REDIS_URL: `rediss://127.0.0.1:${tlsPort}`, REDIS_PASSWORD: password, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") }, "url-tls");
  });
});
