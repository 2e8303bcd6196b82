import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../../proxy/test/fake-upstream.js";
import { startStack, type Stack } from "../../proxy/test/harness.js";
import { seedToken } from "../../proxy/test/gateway-helpers.js";
import { cli } from "./helpers.js";

let stack: Stack;
let fake: FakeUpstream;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeUpstream();
  stack = await startStack("embedded", { OPENAI_API_URL: fake.url });
  env = { LLM_PROXY_API_URL: stack.apiUrl, MANAGEMENT_TOKEN: stack.managementToken };
});
afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

const json = async <T>(argv: string[], stdin?: string): Promise<T> => {
  const r = await cli([...argv, "--json"], { env, stdin });
  expect(r.stderr, argv.join(" ")).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

describe("manage commands against a real proxy (embedded)", () => {
  it("projects: create (key on stdin), list, get, update, deactivate", async () => {
    const created = await json<{ id: string; name: string; api_key: string }>(["project", "create", "--name", "cli-app", "--api-key-stdin"], "sk-upstream-cli-0123456789\n");
    expect(created.name).toBe("cli-app");
    expect(created.api_key).not.toBe("sk-upstream-cli-0123456789");

    const table = await cli(["project", "list"], { env });
    expect(table.stdout).toMatch(/^ID\s+NAME\s+ACTIVE\s+API KEY\s+CREATED\s+SPEND \(MONTH\)\n/);
    expect(table.stdout).toContain(created.id);
    expect((await json<{ id: string }[]>(["project", "list"])).map((p) => p.id)).toContain(created.id);
    expect(await json(["project", "get", created.id])).toMatchObject({ id: created.id, is_active: true });

    expect(await json(["project", "update", created.id, "--name", "cli-app-2"])).toMatchObject({ name: "cli-app-2" });
    const token = await json<{ id: string }>(["token", "create", "--project", created.id]);
    const off = await cli(["project", "deactivate", created.id, "--revoke-tokens"], { env });
    expect(off).toMatchObject({ code: 0, stdout: `deactivated project ${created.id} (cli-app-2); its tokens are revoked\n` });
    expect(await json(["token", "get", token.id])).toMatchObject({ is_active: false });
  });

  it("tokens: create, list, get, update, revoke, revoke-all", async () => {
    const project = await json<{ id: string }>(["project", "create", "--name", "cli-tokens", "--api-key", "sk-upstream-tokens-0123456789"]);
    const created = await json<{ id: string; token: string; max_requests?: number }>(["token", "create", "--project", project.id, "--duration", "30", "--max-requests", "5"]);
    expect(created.token).toMatch(/^sk-/);
    expect(created.max_requests).toBe(5);
    const quiet = await cli(["token", "create", "--project", project.id, "-q"], { env });
    expect(quiet.stdout).toMatch(/^sk-[A-Za-z0-9_-]+\n$/);

    const listed = await json<{ id: string; token: string }[]>(["token", "list", "--project", project.id]);
    expect(listed).toHaveLength(2);
    expect(listed.map((t) => t.token)).not.toContain(created.token);
    expect((await cli(["token", "list", "--project", project.id], { env })).stdout).toMatch(/^ID\s+PROJECT\s+ACTIVE\s+REQUESTS/);

    expect(await json(["token", "update", created.id, "--max-requests", "0"])).toMatchObject({ max_requests: null });
    const limited = await json<{ id: string; rate_limit_rpm?: number }>(["token", "create", "--project", project.id, "--rate-limit-rpm", "30"]);
    expect(limited.rate_limit_rpm).toBe(30);
    expect(await json(["token", "update", limited.id, "--rate-limit-rpm", "0"])).toMatchObject({ rate_limit_rpm: 0 });
    expect(await json(["token", "update", limited.id, "--rate-limit-rpm", "default"])).toMatchObject({ rate_limit_rpm: null });
    expect((await cli(["token", "list", "--project", project.id], { env })).stdout).toMatch(/\bRPM\b[\s\S]*\bdefault\b/);
    await cli(["token", "revoke", limited.id], { env });
    expect(await cli(["token", "revoke", created.id], { env })).toMatchObject({ code: 0, stdout: `revoked token ${created.id}\n` });
    expect(await json(["token", "get", created.id])).toMatchObject({ is_active: false });
    expect(await json(["token", "revoke-all", "--project", project.id])).toEqual({ revoked_count: 1, already_revoked_count: 2, total_tokens: 3 });
  });

  it("usage get: buckets per project and model, totals, a token's lifetime figures", async () => {
    const project = await json<{ id: string }>(["project", "create", "--name", "cli-usage", "--api-key", "sk-upstream-usage-0123456789"]);
    const token = await json<{ id: string }>(["token", "create", "--project", project.id]);
    const usage = await json<{ buckets: unknown[]; totals: { requests: number }; token?: { id: string; request_count: number } }>(["usage", "get", "--project", project.id, "--token", token.id, "--granularity", "day"]);
    expect(usage).toMatchObject({ buckets: [], totals: { requests: 0 }, token: { id: token.id, request_count: 0 } });
    const table = await cli(["usage", "get", "--project", project.id], { env });
    expect(table).toMatchObject({ code: 0 });
    expect(table.stdout).toMatch(/^START\s+PROJECT\s+MODEL\s+REQUESTS/);
    expect(table.stderr).toContain("0 requests, 0 errors");
    const bad = await cli(["usage", "get", "--granularity", "week"], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("granularity must be hour or day");
  });

  it("budgets at create and update, and usage spend: every project's month, one project's tokens", async () => {
    const project = await json<{ id: string; monthly_budget_usd: number | null; spend_usd: number }>(["project", "create", "--name", "cli-spend", "--api-key", "sk-upstream-spend-0123456789", "--monthly-budget", "25"]);
    expect(project).toMatchObject({ monthly_budget_usd: 25, spend_usd: 0 });
    expect(await json(["project", "update", project.id, "--monthly-budget", "12.5"])).toMatchObject({ monthly_budget_usd: 12.5 });
    const token = await json<{ id: string; max_spend_usd?: number }>(["token", "create", "--project", project.id, "--max-spend", "0.5"]);
    expect(token.max_spend_usd).toBe(0.5);
    expect(await json(["token", "get", token.id])).toMatchObject({ spend_usd: 0, max_spend_usd: 0.5 });
    expect(await json(["token", "update", token.id, "--max-spend", "none"])).toMatchObject({ max_spend_usd: null });
    expect(await json(["token", "update", token.id, "--max-spend", "2"])).toMatchObject({ max_spend_usd: 2 });

    const projects = await cli(["usage", "spend"], { env });
    expect(projects.stdout).toMatch(/^PROJECT\s+NAME\s+SPEND THIS MONTH\s+USED/);
    expect(projects.stdout).toMatch(new RegExp(`${project.id}\\s+cli-spend\\s+0/12\\.5 USD\\s+0%`));
    const tokens = await cli(["usage", "spend", "--project", project.id], { env });
    expect(tokens.stdout).toMatch(new RegExp(`^TOKEN\\s+ACTIVE\\s+SPEND \\(LIFETIME\\)\\s+USED\\n${token.id}\\s+true\\s+0/2 USD\\s+0%\\n$`));
    expect(await json(["usage", "spend", "--project", project.id])).toEqual([{ id: token.id, is_active: true, spend_usd: 0, max_spend_usd: 2 }]);
    const bad = await cli(["token", "update", token.id, "--max-spend=-3"], { env });
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('--max-spend: expected an amount of USD ≥ 0 or "none", got "-3"');
  });

  it("audit list: filters, table and JSON", async () => {
    const page = await json<{ events: { action: string }[]; pagination: { page_size: number } }>(["audit", "list", "--action", "token.create", "--page-size", "2"]);
    expect(page.events.length).toBeGreaterThan(0);
    expect(page.events.every((e) => e.action === "token.create")).toBe(true);
    expect(page.pagination.page_size).toBe(2);
    const table = await cli(["audit", "list", "--action", "project.create"], { env });
    expect(table.stdout).toMatch(/^TIME\s+ACTION\s+OUTCOME/);
    expect(table.stderr).toMatch(/^page 1 of \d+ \(\d+ events\)/);
  });

  it("unknown project id: one line, exit 1", async () => {
    const r = await cli(["project", "get", "no-such-project"], { env });
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toMatch(/^llm-proxy: GET \/manage\/projects\/no-such-project: .*not found.* \(HTTP 404\)\n$/);
    const t = await cli(["token", "create", "--project", "no-such-project"], { env });
    expect(t.code).toBe(1);
    expect(t.stderr.split("\n")).toHaveLength(2);
  });

  it("a wrong management token: one line, exit 1", async () => {
    const r = await cli(["project", "list"], { env: { ...env, MANAGEMENT_TOKEN: "wrong-token-0123456789" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^llm-proxy: GET \/manage\/projects: .* \(HTTP 401\)\n$/);
  });
});

describe("the original Go CLI's spellings (aliases)", () => {
  it("manage project|token|cache, openai chat and benchmark with the original's flags", async () => {
    const conn = ["--manage-api-base-url", stack.apiUrl, "--management-token", stack.managementToken];
    const run = async (argv: string[], stdin?: string[]) => {
      const r = await cli(argv, { stdin });
      expect([argv.slice(0, 3).join(" "), r.code]).toEqual([argv.slice(0, 3).join(" "), 0]);
      return r.stdout;
    };
    const project = JSON.parse(await run(["manage", "project", "create", "--name", "go-cli", "--openai-key", "sk-upstream-go-0123456789", ...conn, "--json"])) as { id: string };
    expect(JSON.parse(await run(["manage", "project", "get", project.id, ...conn, "--json"]))).toMatchObject({ id: project.id, name: "go-cli" });
    expect(await run(["manage", "project", "list", ...conn])).toContain(project.id);
    const updated = JSON.parse(await run(["manage", "project", "update", project.id, "--name", "go-cli-2", "--openai-key=sk-upstream-go-rotated-0123", ...conn, "--json"])) as { name: string; api_key: string };
    expect(updated).toMatchObject({ name: "go-cli-2", api_key: "sk-upstr...0123" });
    const token = JSON.parse(await run(["manage", "token", "generate", "--project-id", project.id, "--duration", "30", ...conn, "--json"])) as { token: string; expires_at: string };
    expect(Date.parse(token.expires_at) - Date.now()).toBeLessThan(31 * 60_000);

    const cached = () => fetch(`${stack.apiUrl}/v1/models?go=1`, { headers: { authorization: `Bearer ${token.token}`, "cache-control": "public, max-age=60" } });
    await cached();
    const purge = ["manage", "cache", "purge", "--api-base-url", stack.apiUrl, "--management-token", stack.managementToken];
    expect(await run([...purge, "--method", "GET", "--url", "/v1/models?go=1"])).toBe("deleted 1 cache entry\n");
    expect(await run([...purge, "--method", "GET", "--url", "/v1/models?go=1", "--json"])).toBe('{\n  "deleted": false\n}\n');
    await cached();
    const prefix = await cli([...purge, "--method", "POST", "--url", "/ignored", "--prefix", "/v1/models?go="]);
    expect(prefix).toMatchObject({ code: 0, stdout: "deleted 1 cache entry\n", stderr: "a --prefix purge ignores --url and --method\n" });

    expect(await run(["openai", "chat", "--proxy", stack.apiUrl, "--token", token.token], ["Hello", "/exit"])).toContain("Hello");
    const bench = JSON.parse(await run(["benchmark", "--base-url", stack.apiUrl, "--token", token.token, "-r", "3", "-c", "1", "--json"])) as { ok: number };
    expect(bench.ok).toBe(3);
  });

  it("leaves unknown original spellings a usage error", async () => {
    expect(await cli(["manage", "project", "delete", "x"], { env })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^llm-proxy: unknown command "manage project"/) });
    expect((await cli(["project", "list", "--openai-key", "k"], { env })).code).toBe(2);
  });
});

describe("cache purge against the real proxy", () => {
  it("deletes the entry a client stored, and the next request goes upstream again", async () => {
    const t = await seedToken(stack);
    const get = () => fetch(`${stack.apiUrl}/v1/models?cli=1`, { headers: { authorization: `Bearer ${t.secret}`, "cache-control": "public, max-age=60" } });
    expect((await get()).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
    expect((await get()).headers.get("cache-status")).toBe("llm-proxy; hit");
    const r = await cli(["cache", "purge", "--url", "/v1/models?cli=1"], { env });
    expect(r).toMatchObject({ code: 0, stdout: "deleted 1 cache entry\n" });
    expect((await get()).headers.get("cache-status")).toBe("llm-proxy; stored (forced)");
  });
});

describe("cache purge (the POST /manage/cache/purge contract)", () => {
  let server: http.Server;
  let url: string;
  const seen: { auth?: string; body: unknown }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ auth: req.headers.authorization, body: JSON.parse(body) as unknown });
        res.writeHead(req.method === "POST" && req.url === "/manage/cache/purge" ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify({ deleted: 3 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    [["--url", "/v1/models"], { method: "GET", url: "/v1/models" }],
    [["--url", "/v1/chat/completions", "--method", "post"], { method: "POST", url: "/v1/chat/completions" }],
    [["--prefix", "/v1/", "--project", "p1"], { prefix: "/v1/", project_id: "p1" }],
    [["--all"], { all: true }],
    [["--method", "GET", "--url", "/v1/models", "--prefix", "/v1/"], { prefix: "/v1/" }],
  ])("%j sends %j", async (flags, body) => {
    const r = await cli(["cache", "purge", ...flags, "--api-url", url, "--management-token", "mt-0123456789abcdef"]);
    expect(r).toMatchObject({ code: 0, stdout: "deleted 3 cache entries\n" });
    expect(seen.at(-1)).toEqual({ auth: "Bearer mt-0123456789abcdef", body });
  });

  it("refuses an empty or contradictory purge (exit 2)", async () => {
    for (const flags of [[], ["--all", "--url", "/x"], ["--method", "GET", "--prefix", "/"]]) {
      const r = await cli(["cache", "purge", ...flags, "--api-url", url, "--management-token", "mt-0123456789abcdef"]);
      expect(r.code, flags.join(" ")).toBe(2);
    }
  });
});
