import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../src/cli/bench-stats.js";
import { startFakeUpstream, type FakeUpstream } from "../../proxy/test/fake-upstream.js";
import { seedToken } from "../../proxy/test/gateway-helpers.js";
import { startStack, type Stack } from "../../proxy/test/harness.js";
import { cli } from "./helpers.js";

let stack: Stack;
let fake: FakeUpstream;
let token: string;

beforeAll(async () => {
  fake = await startFakeUpstream();
  stack = await startStack("embedded", { OPENAI_API_URL: fake.url });
  token = (await seedToken(stack)).secret;
});
afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

describe("chat through a real proxy (embedded) and the fake upstream", () => {
  it("streams answers and keeps the conversation; one stdin line per message", async () => {
    fake.seen.length = 0;
    const r = await cli(["chat", "--token", token, "--api-url", stack.apiUrl, "--system", "Be brief."], { stdin: ["Hello", "", "And again", "/exit", "never sent"] });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe("Hello from the fake stream\nHello from the fake stream\n");
    const bodies = fake.seen.map((s) => JSON.parse(s.body) as { stream: boolean; messages: { role: string; content: string }[] });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]?.stream).toBe(true);
    expect(bodies[1]?.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hello from the fake stream" },
      { role: "user", content: "And again" },
    ]);
  });

  it("--no-stream, /reset, and the token from LLM_PROXY_TOKEN", async () => {
    fake.seen.length = 0;
    const r = await cli(["chat", "--no-stream", "--model", "gpt-4o"], { env: { LLM_PROXY_TOKEN: token, LLM_PROXY_API_URL: stack.apiUrl }, stdin: ["One", "/reset", "Two"] });
    expect(r).toMatchObject({ code: 0, stdout: "Hello from the fake upstream\nHello from the fake upstream\n" });
    const last = JSON.parse(fake.seen.at(-1)?.body ?? "{}") as { model: string; stream?: boolean; messages: unknown[] };
    expect(last).toMatchObject({ model: "gpt-4o", messages: [{ role: "user", content: "Two" }] });
  });

  it("a rejected token: one error line per message, exit 1", async () => {
    const r = await cli(["chat", "--token", "sk-not-a-real-token-000000", "--api-url", stack.apiUrl], { stdin: ["Hi"] });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: 401 .*\n$/);
  });

  it("no token: usage error", async () => {
    expect(await cli(["chat", "--api-url", stack.apiUrl])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^llm-proxy: no token: pass --token/) });
  });
});

describe("bench against a real proxy (embedded)", () => {
  it("reports RPS, latency percentiles and the proxy/upstream split", async () => {
    const r = await cli(["bench", "--token", token, "--api-url", stack.apiUrl, "-n", "24", "-c", "4", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report).toMatchObject({ requests: 24, concurrency: 4, ok: 24, failed: 0, statuses: { "200": 24 } });
    expect(report.rps).toBeGreaterThan(0);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(report.split?.samples).toBe(24);
    expect(report.split?.upstreamMs.avg).toBeGreaterThan(0);
    expect(report.latencyMs.avg).toBeGreaterThanOrEqual(report.split?.upstreamMs.avg ?? Infinity);

    const text = await cli(["bench", "--token", token, "--api-url", stack.apiUrl, "-n", "4", "-c", "2"]);
    expect(text.stdout).toMatch(/^requests\s+4 \(concurrency 2\) in [\d.]+ s: [\d.]+ req\/s\nstatus\s+200×4\nlatency ms\s+avg .* p90 .* p99 .*\ncache .*\nupstream ms .*\nproxy ms .*\n$/);
  });

  it("exits 1 when requests fail (bad token) and still reports", async () => {
    const r = await cli(["bench", "--token", "sk-not-a-real-token-000000", "--api-url", stack.apiUrl, "-n", "3", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: 0, failed: 3, statuses: { "401": 3 } });
  });

  it("--cache sends Cache-Control and counts hits from Cache-Status / X-PROXY-CACHE", async () => {
    const seen: (string | undefined)[] = [];
    let n = 0;
    const server = http.createServer((req, res) => {
      seen.push(req.headers["cache-control"]);
      req.resume();
      const header = n++ === 0 ? { "cache-status": "llm-proxy; fwd=miss; stored" } : n % 2 ? { "x-proxy-cache": "HIT" } : { "cache-status": "llm-proxy; hit" };
      res.writeHead(200, { "content-type": "application/json", ...header });
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await cli(["bench", "--token", "t", "--api-url", url, "-n", "5", "-c", "1", "--cache", "--cache-ttl", "60", "--json"]);
      expect(seen).toEqual(Array(5).fill("public, max-age=60"));
      expect((JSON.parse(r.stdout) as BenchReport).cache).toEqual({ hits: 4, misses: 1, unknown: 0 });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
