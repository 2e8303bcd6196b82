import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { client, raw, seedToken } from "./gateway-helpers.js";
import { startStack, type Stack } from "./harness.js";

const providersYaml = (url: string) => `
default_api: openai
apis:
  openai:
    base_url: ${url}/prefix
    allowed_endpoints: [/v1/chat/completions, /v1/models]
    allowed_methods: [GET, POST]
    timeouts: { response_header: 500ms, flush_interval: 10ms }
    param_whitelist:
      model: [gpt-4o, "gpt-4o-*", "o4-mini"]
    allowed_origins: [https://app.example.com]
    required_headers: [origin]
  anthropic:
    base_url: ${url}
    allowed_endpoints: [/v1/messages]
    allowed_methods: [POST]
`;

describe("data-plane errors, rules and providers", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let dir: string;
  let t: Awaited<ReturnType<typeof seedToken>>;
  const origin = { origin: "https://app.example.com" };

  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-providers-"));
    await fs.writeFile(path.join(dir, "providers.yaml"), providersYaml(fake.url));
    s = await startStack("embedded", { API_CONFIG_PATH: path.join(dir, "providers.yaml"), MAX_REQUEST_SIZE: "4096" });
    t = await seedToken(s);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const chat = (body: unknown, headers: Record<string, string> = origin, token = t.secret) =>
    raw(s, "/v1/chat/completions", { token, json: body, headers });

  it("keeps the base_url path prefix and matches the model whitelist with globs", async () => {
    const ok = await chat({ model: "gpt-4o-mini", messages: [] });
    expect(ok.status).toBe(200);
    expect(fake.seen.at(-1)?.url).toBe("/prefix/v1/chat/completions");
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(ok.headers.get("vary")).toBe("Origin");
    const denied = await chat({ model: "gpt-3.5-turbo", messages: [] });
    expect(denied).toMatchObject({
      status: 400,
      body: { error: "Parameter 'model' value 'gpt-3.5-turbo' is not allowed. Allowed patterns: [gpt-4o gpt-4o-* o4-mini]", code: "param_not_allowed" },
    });
    const charset = await raw(s, "/v1/chat/completions", {
      token: t.secret,
      method: "POST",
      headers: { ...origin, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ model: "gpt-3.5-turbo" }),
    });
    expect(charset.status).toBe(400);
  });

  it.each([
    ["no Authorization", undefined, 401, "invalid_token"],
    ["a garbled token", "sk-garbage", 401, "invalid_token"],
    ["an unknown token", "sk-AAAAAAAAAAAAAAAAAAAAAA", 401, "token_not_found"],
  ])("answers %s with %i %s", async (_label, token, status, code) => {
    const r = await raw(s, "/v1/models", { ...(token ? { token } : {}), headers: origin });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ code });
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers revoked, expired and exhausted tokens with their codes", async () => {
    const revoked = await seedToken(s);
    expect((await raw(s, "/v1/models", { token: revoked.secret, headers: origin })).status).toBe(200);
    await s.manage(`/manage/tokens/${revoked.tokenId}`, { method: "DELETE" });
    expect((await raw(s, "/v1/models", { token: revoked.secret, headers: origin })).body).toMatchObject({ code: "token_inactive", error: "Token is inactive" });

    const expired = await seedToken(s);
    await s.db.sql`UPDATE tokens SET expires_at = now() - interval '1 minute' WHERE id = ${expired.tokenId}`;
    expect((await raw(s, "/v1/models", { token: expired.secret, headers: origin })).body).toMatchObject({ code: "token_expired", error: "Token has expired" });

    const limited = await seedToken(s, { maxRequests: 2 });
    for (let i = 0; i < 2; i++) expect((await chat({ model: "gpt-4o", messages: [] }, origin, limited.secret)).status).toBe(200);
    expect(await chat({ model: "gpt-4o", messages: [] }, origin, limited.secret)).toMatchObject({
      status: 429,
      body: { error: "Rate limit exceeded", code: "rate_limit_exceeded" },
    });
  });

  it("refuses methods, paths and traversal attempts before anything reaches upstream", async () => {
    const before = fake.seen.length;
    expect((await raw(s, "/v1/models", { token: t.secret, method: "DELETE", headers: origin })).body).toMatchObject({ code: "method_not_allowed" });
    expect((await raw(s, "/v1/files", { token: t.secret, headers: origin })).body).toMatchObject({ code: "endpoint_not_found", error: "Endpoint not found" });
    for (const p of ["/v1/models/../../manage/projects", "/v1/models/%2e%2e/%2e%2e/manage/projects", "/v1/models/..%2f..%2fmanage", "/v1/models//x"]) {
      // node:http sends the path as written; fetch would normalise the dot segments away.
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port: new URL(s.apiUrl).port, path: p, headers: { authorization: `Bearer ${t.secret}`, ...origin } }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on("error", reject);
      });
      expect(r.status).toBe(404);
      expect(r.body).not.toContain("api_key");
    }
    expect(fake.seen.length).toBe(before);
  });

  it("applies origin rules and answers preflights without a token", async () => {
    expect((await raw(s, "/v1/models", { token: t.secret, headers: { origin: "https://evil.example" } })).body).toMatchObject({ code: "origin_not_allowed" });
    expect(await raw(s, "/v1/models", { token: t.secret })).toMatchObject({ status: 400, body: { code: "origin_required", error: "Origin header required" } });
    const pre = await raw(s, "/v1/chat/completions", { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-headers": "authorization, content-type" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(pre.headers.get("access-control-max-age")).toBe("86400");
  });

  it("answers 413 for bodies over MAX_REQUEST_SIZE and 400 for invalid JSON under a whitelist", async () => {
    expect((await chat({ model: "gpt-4o", messages: [{ role: "user", content: "x".repeat(5000) }] })).status).toBe(413);
    const bad = await raw(s, "/v1/chat/completions", { token: t.secret, method: "POST", headers: { ...origin, "content-type": "application/json" }, body: "{nope" });
    expect(bad).toMatchObject({ status: 400, body: { code: "invalid_request" } });
  });

  it("answers 504 when upstream headers take longer than the configured timeout", async () => {
    fake.override = async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      if (!res.destroyed) res.end("{}");
      return true;
    };
    try {
      expect(await chat({ model: "gpt-4o", messages: [] })).toMatchObject({ status: 504, body: { code: "timeout", error: "Request timeout" } });
    } finally {
      fake.override = undefined;
    }
  });

  it("refuses tokens of an inactive project with 403 and an audit row", async () => {
    const other = await seedToken(s);
    await s.manage(`/manage/projects/${other.projectId}`, { method: "PATCH", json: { is_active: false } });
    expect((await raw(s, "/v1/models", { token: other.secret, headers: origin })).body).toMatchObject({ code: "project_inactive", error: "Project is inactive" });
    const audit = (await (await s.manage(`/manage/audit?action=proxy_request&project_id=${other.projectId}`)).json()) as { events: { outcome: string; reason: string }[] };
    expect(audit.events).toEqual([expect.objectContaining({ outcome: "denied", reason: "project_inactive" })]);
  });

  it("serves a second provider under its own mount with x-api-key auth", async () => {
    const c = client(s, t.secret, "/anthropic");
    fake.override = (req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "msg_1", type: "message", usage: { input_tokens: 3, output_tokens: 2 }, seen_path: req.url }));
      return true;
    };
    try {
      const r = (await c.post("/messages", { body: { model: "claude-x", max_tokens: 5, messages: [] } })) as { seen_path: string };
      expect(r.seen_path).toBe("/v1/messages");
      const seen = fake.seen.at(-1);
      expect(seen?.headers["x-api-key"]).toBe(t.apiKey);
      expect(seen?.headers.authorization).toBeUndefined();
      expect(seen?.headers["anthropic-version"]).toBe("2023-06-01");
    } finally {
      fake.override = undefined;
    }
  });
});
