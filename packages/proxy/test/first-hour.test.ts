import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import OpenAI, { type APIError, RateLimitError } from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify } from "../src/gateway/forward.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { raw, seedToken } from "./gateway-helpers.js";
import { startStack, type Stack } from "./harness.js";

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const providersYaml = (fakeUrl: string, refusedPort: number) => `
default_api: openai
apis:
  openai:
    base_url: ${fakeUrl}/v1/
    allowed_endpoints: [/v1/chat/completions, /v1/models]
    allowed_methods: [GET, POST]
  refused:
    base_url: http://127.0.0.1:${refusedPort}
    allowed_endpoints: [/v1/models]
    allowed_methods: [GET]
  plaintext:
    base_url: ${fakeUrl.replace("http:", "https:")}
    allowed_endpoints: [/v1/models]
    allowed_methods: [GET]
`;

describe("what a newcomer meets on the data plane", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let dir: string;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-first-hour-"));
    await fs.writeFile(path.join(dir, "providers.yaml"), providersYaml(fake.url, await closedPort()));
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n")) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    s = await startStack("embedded", { API_CONFIG_PATH: path.join(dir, "providers.yaml") }, pino({ level: "info" }, sink));
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** An SDK with its default retries, counting every HTTP request it makes. */
  function sdk(secret: string) {
    const calls: number[] = [];
    const client = new OpenAI({
      apiKey: secret,
      baseURL: `${s.apiUrl}/v1`,
      timeout: 20_000,
      fetch: (input, init) => {
        calls.push(Date.now());
        return fetch(input, init);
      },
    });
    return { client, calls };
  }

  it("strips a trailing /v1 from a provider's base_url: the upstream gets /v1/..., not /v1/v1/...", async () => {
    const t = await seedToken(s);
    expect((await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } })).status).toBe(200);
    expect(fake.seen.at(-1)?.url).toBe("/v1/chat/completions");
  });

  it("marks an exhausted quota as not retryable: the SDK asks once and gives up", async () => {
    const t = await seedToken(s, { maxRequests: 1 });
    const { client, calls } = sdk(t.secret);
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    const upstreamBefore = fake.seen.length;
    const started = Date.now();
    const err = (await client.chat.completions.create({ model: "gpt-4o-mini", messages: [] }).catch((e: unknown) => e)) as APIError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.headers?.get("x-should-retry")).toBe("false");
    expect(calls).toHaveLength(2); // one that worked, one refusal: no retry of the refusal
    expect(fake.seen.length).toBe(upstreamBefore);
    // Generous for a loaded machine (the call count above is the proof); two back-offs would add ~1.5 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("marks 401 and 403 as not retryable and keeps rate-limit 429s retryable with Retry-After", async () => {
    const unknown = await raw(s, "/v1/models", { token: "sk-AAAAAAAAAAAAAAAAAAAAAA" });
    expect(unknown).toMatchObject({ status: 401, body: { code: "token_not_found" } });
    expect(unknown.headers.get("x-should-retry")).toBe("false");

    const inactive = await seedToken(s);
    await s.manage(`/manage/projects/${inactive.projectId}`, { method: "PATCH", json: { is_active: false } });
    const refused = await raw(s, "/v1/models", { token: inactive.secret });
    expect(refused).toMatchObject({ status: 403, body: { code: "project_inactive" } });
    expect(refused.headers.get("x-should-retry")).toBe("false");

    const t = await seedToken(s);
    await s.manage(`/manage/tokens/${t.tokenId}`, { method: "PATCH", json: { rate_limit_rpm: 1 } });
    expect((await raw(s, "/v1/models", { token: t.secret })).status).toBe(200);
    const limited = await raw(s, "/v1/models", { token: t.secret });
    expect(limited).toMatchObject({ status: 429, body: { code: "rate_limit_exceeded" } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("x-should-retry")).toBeNull();
  });

  it("says why an upstream could not be reached, in the 502 and in a warning log line, without secrets", async () => {
    const t = await seedToken(s);
    const refused = await raw(s, "/refused/v1/models", { token: t.secret });
    expect(refused).toMatchObject({ status: 502, body: { code: "upstream_error", description: expect.stringMatching(/^connection refused by 127\.0\.0\.1:\d+$/) } });
    const tls = await raw(s, "/plaintext/v1/models", { token: t.secret });
    expect(tls).toMatchObject({ status: 502, body: { code: "upstream_error", description: expect.stringMatching(/^TLS handshake with 127\.0\.0\.1:\d+ failed \(\w+\)$/) } });

    const warnings = logs.filter((l) => l.msg === "upstream request failed");
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, provider: "refused", code: "upstream_error", reason: (refused.body as { description: string }).description }),
      expect.objectContaining({ level: 40, provider: "plaintext", code: "upstream_error", reason: (tls.body as { description: string }).description }),
    ]);
    const text = JSON.stringify(logs) + JSON.stringify([refused.body, tls.body]);
    expect(text).not.toContain(t.secret);
    expect(text).not.toContain(t.apiKey);
  });

  it("names DNS failures and timeouts, from the error code only", () => {
    const p = { origin: "https://api.example.com", headersTimeoutMs: 30_000, streamIdleTimeoutMs: 300_000, requestTimeoutMs: 0 };
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND api.example.com secret-in-message"), { code: "ENOTFOUND" });
    expect(classify(dns, p)).toMatchObject({ code: "upstream_error", description: "DNS lookup of api.example.com failed (ENOTFOUND)" });
    expect(classify(Object.assign(new Error("x"), { code: "UND_ERR_HEADERS_TIMEOUT" }), p)).toMatchObject({
      code: "timeout",
      description: "api.example.com sent no response headers within 30s",
    });
    expect(classify(Object.assign(new Error("x"), { code: "UND_ERR_CONNECT_TIMEOUT" }), p)).toMatchObject({ code: "timeout", description: "connecting to api.example.com timed out" });
  });
});
