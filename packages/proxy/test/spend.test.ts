import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { client, raw, seedToken } from "./gateway-helpers.js";
import { startStack, storageKinds, type Stack, type StorageKind } from "./harness.js";

// USD per 1M tokens. The upstream answers naming `test-chat`; clients ask for `alias` (no price):
// the model priced is the one the response names.
const PRICES = `
models:
  test-chat: { input: 2, output: 8, cached_input: 0.5 }
  "test-*": { input: 100, output: 100 }
`;
// 600 × $2 + 400 cached × $0.50 + 500 × $8 per 1M tokens
const JSON_COST = 0.0054;
// 2000 × $2 + 100 × $8 per 1M tokens
const STREAM_COST = 0.0048;

/** The upstream's answers: fixed usage, with cached tokens on the JSON one. */
function answerWithKnownUsage(fake: FakeUpstream): void {
  fake.override = async (_req, res, body) => {
    const parsed = JSON.parse(body) as { stream?: boolean };
    if (!parsed.stream) {
      const text = JSON.stringify({
        id: "chatcmpl-1", object: "chat.completion", created: 1, model: "test-chat",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 400 } },
      });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return true;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (extra: object) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "test-chat", ...extra })}\n\n`;
    res.write(chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }] }));
    res.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
    res.write(chunk({ choices: [], usage: { prompt_tokens: 2000, completion_tokens: 100, total_tokens: 2100 } }));
    res.end("data: [DONE]\n\n");
    return true;
  };
}

/** A stack priced from PRICES in front of an upstream answering with known usage; `close` ends all three. */
async function pricedStack(kind: StorageKind, env: Record<string, string>): Promise<{ s: Stack; close(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "spend-"));
  await fs.writeFile(path.join(dir, "prices.yaml"), PRICES);
  const fake = await startFakeUpstream();
  answerWithKnownUsage(fake);
  const close = async (s?: Stack) => {
    await s?.close();
    await fake.close();
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const s = await startStack(kind, { OPENAI_API_URL: fake.url, PRICING_PATH: path.join(dir, "prices.yaml"), ...env });
    return { s, close: () => close(s) };
  } catch (err) {
    await close();
    throw err;
  }
}

describe.each(storageKinds())("spend and budgets on %s storage", (kind) => {
  let s: Stack;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // Flushed by the tests themselves: what they read from the database is exactly what they made.
    ({ s, close } = await pricedStack(kind, { USAGE_FLUSH_INTERVAL: "1h" }));
  });
  afterAll(() => close?.());

  const get = async (p: string) => (await (await s.manage(p)).json()) as Record<string, unknown>;
  const nanos = (usd: number) => Math.round(usd * 1e9);
  /** One JSON and one streamed chat, each until its spend is recorded (off the client's path). */
  async function chat(ai: OpenAI, tokenId: string, stream: boolean, headers: Record<string, string> = {}) {
    const before = s.usage.token(tokenId);
    const messages = [{ role: "user" as const, content: "hi" }];
    if (stream) {
      const chunks = await ai.chat.completions.create({ model: "alias", messages, stream: true, stream_options: { include_usage: true } }, { headers });
      for await (const c of chunks) void c;
      await expect.poll(() => s.usage.token(tokenId), { timeout: 10_000 }).toBe(before + nanos(STREAM_COST));
      return;
    }
    const answer = await ai.chat.completions.create({ model: "alias", messages }, { headers });
    expect(answer.usage?.prompt_tokens_details?.cached_tokens).toBe(400);
    await expect.poll(() => s.usage.token(tokenId), { timeout: 10_000 }).toBe(before + nanos(JSON_COST));
  }
  const refusal = async (ai: OpenAI) => {
    const err = await ai.chat.completions.create({ model: "alias", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    return err as InstanceType<typeof OpenAI.APIError>;
  };

  it("sums exact costs of JSON and streamed answers per request rollup, token and project", async () => {
    const t = await seedToken(s);
    const other = await (await s.manage("/manage/tokens", { json: { project_id: t.projectId, duration_minutes: 60 } })).json() as { id: string; token: string };
    const ai = client(s, t.secret);
    for (let i = 0; i < 3; i++) await chat(ai, t.tokenId, false);
    await chat(ai, t.tokenId, true);
    await chat(client(s, other.token), other.id, true);
    await s.usage.flush();

    // 3 × 0.0054 + 0.0048 in floating point is 0.021000000000000005: sums are of whole nano-dollars.
    expect((await get(`/manage/tokens/${t.tokenId}`)).spend_usd).toBe(0.021);
    expect((await get(`/manage/tokens/${other.id}`)).spend_usd).toBe(STREAM_COST);
    expect((await get(`/manage/projects/${t.projectId}`)).spend_usd).toBe(0.0258);
    const listed = (await (await s.manage("/manage/projects")).json()) as { id: string; spend_usd: number }[];
    expect(listed.find((p) => p.id === t.projectId)?.spend_usd).toBe(0.0258);
    const usage = (await get(`/manage/usage?project_id=${t.projectId}`)) as { buckets: { model: string; requests: number; cost_usd: number }[]; totals: { cost_usd: number; requests: number } };
    expect(usage.buckets).toMatchObject([{ model: "alias", requests: 5, cost_usd: 0.0258 }]);
    expect(usage.totals).toMatchObject({ requests: 5, cost_usd: 0.0258 });
    const byToken = (await get(`/manage/usage?token_id=${t.tokenId}`)) as { token: { spend_usd: number; max_spend_usd: number | null } };
    expect(byToken.token).toMatchObject({ spend_usd: 0.021, max_spend_usd: null });
    const metrics = await (await fetch(`${s.apiUrl}/metrics/prometheus`)).text();
    // A Prometheus counter is a float: close, not exact (the exact figures are the API's).
    const line = metrics.split("\n").find((l) => l.startsWith(`llm_proxy_spend_usd_total{project_id="${t.projectId}",model="test-chat"}`));
    expect(Number(line?.split(" ")[1])).toBeCloseTo(0.0258, 12);
  });

  it("serves the request that crosses a token's budget, then refuses with 429 budget_exceeded and no Retry-After, also after a reload from storage", async () => {
    const t = await seedToken(s);
    const created = await (await s.manage("/manage/tokens", { json: { project_id: t.projectId, duration_minutes: 60, max_spend_usd: 0.005 } })).json() as { id: string; token: string; max_spend_usd: number };
    expect(created.max_spend_usd).toBe(0.005);
    const ai = client(s, created.token);
    await chat(ai, created.id, false);
    const refused = await refusal(ai);
    expect(refused.status).toBe(429);
    expect(refused.error).toBe("Token budget exceeded (max_spend_usd)");
    const body = await raw(s, "/v1/chat/completions", { token: created.token, json: { model: "alias", messages: [] } });
    expect(body).toMatchObject({ status: 429, body: { code: "budget_exceeded", error: "Token budget exceeded (max_spend_usd)", description: "spent 0.0054 USD of the token's max_spend_usd 0.005" } });
    expect(body.headers.get("x-should-retry")).toBe("false");
    expect(refused.headers?.get("retry-after")).toBeNull();

    // Flushed, then the token reloaded (a PATCH drops it from the cache): its stored spend still refuses.
    await s.usage.flush();
    const patched = await (await s.manage(`/manage/tokens/${created.id}`, { method: "PATCH", json: { max_spend_usd: 0.0054 } })).json() as Record<string, unknown>;
    expect(patched).toMatchObject({ spend_usd: 0.0054, max_spend_usd: 0.0054 });
    expect((await refusal(ai)).status).toBe(429);
    // Raised, then cleared: served again.
    await s.manage(`/manage/tokens/${created.id}`, { method: "PATCH", json: { max_spend_usd: 1 } });
    await chat(ai, created.id, true);
    await s.manage(`/manage/tokens/${created.id}`, { method: "PATCH", json: { max_spend_usd: null } });
    expect((await get(`/manage/tokens/${created.id}`)).max_spend_usd).toBeNull();
    await chat(ai, created.id, false);
  });

  it("refuses a project over its monthly budget with Retry-After until the UTC month turns", async () => {
    const project = await (await s.manage("/manage/projects", { json: { name: `budget-${Math.random()}`, api_key: "sk-upstream-budget-0123456789", monthly_budget_usd: 0.01 } })).json() as { id: string; monthly_budget_usd: number; spend_usd: number };
    expect(project).toMatchObject({ monthly_budget_usd: 0.01, spend_usd: 0 });
    const token = await (await s.manage("/manage/tokens", { json: { project_id: project.id, duration_minutes: 60 } })).json() as { id: string; token: string };
    const ai = client(s, token.token);
    await chat(ai, token.id, false);
    await chat(ai, token.id, false); // 0.0054 spent, under 0.01: served, and crosses the line
    const refused = await refusal(ai);
    expect(refused.status).toBe(429);
    expect(refused.error).toBe("Project monthly budget exceeded (monthly_budget_usd)");
    const body = await raw(s, "/v1/chat/completions", { token: token.token, json: { model: "alias", messages: [] } });
    expect(body.body).toEqual({ code: "budget_exceeded", error: "Project monthly budget exceeded (monthly_budget_usd)", description: "spent 0.0108 USD of the project's monthly_budget_usd 0.01 this month (UTC)" });
    const now = new Date();
    const untilMonth = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000;
    expect(Math.abs(Number(refused.headers?.get("retry-after")) - untilMonth)).toBeLessThan(5);

    await s.manage(`/manage/projects/${project.id}`, { method: "PATCH", json: { monthly_budget_usd: 1 } });
    await chat(ai, token.id, true);
    await s.usage.flush();
    expect(await get(`/manage/projects/${project.id}`)).toMatchObject({ monthly_budget_usd: 1, spend_usd: 0.0156 });
  });

  it("answers cache hits at no cost, over the budget", async () => {
    const t = await seedToken(s);
    const token = await (await s.manage("/manage/tokens", { json: { project_id: t.projectId, duration_minutes: 60, max_spend_usd: 0.001 } })).json() as { id: string; token: string };
    const ai = client(s, token.token);
    const optIn = { "cache-control": "public, max-age=60" };
    await chat(ai, token.id, false, optIn);
    const hit = await ai.chat.completions.create({ model: "alias", messages: [{ role: "user", content: "hi" }] }, { headers: optIn }).withResponse();
    expect(hit.response.headers.get("cache-status")).toBe("llm-proxy; hit");
    expect((await refusal(ai)).status).toBe(429);
    await s.usage.flush();
    expect(await get(`/manage/tokens/${token.id}`)).toMatchObject({ spend_usd: JSON_COST, cache_hit_count: 1 });
  });

  it("refuses budgets that are not amounts of USD with 400, naming the field", async () => {
    const t = await seedToken(s);
    const bad = await s.manage(`/manage/tokens/${t.tokenId}`, { method: "PATCH", json: { max_spend_usd: -1 } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("max_spend_usd must be >= 0");
    const word = await s.manage(`/manage/projects/${t.projectId}`, { method: "PATCH", json: { monthly_budget_usd: "ten" } });
    expect(word.status).toBe(400);
    expect(await word.text()).toContain("monthly_budget_usd must be a number (USD) or null");
    // Below one nano-dollar would be stored as 0, which stops all spend: refused, not rounded.
    const tiny = await s.manage(`/manage/tokens/${t.tokenId}`, { method: "PATCH", json: { max_spend_usd: 1e-10 } });
    expect([tiny.status, await tiny.text()]).toEqual([400, expect.stringContaining("max_spend_usd must be 0 or at least 0.000000001")]);
  });
});

describe("usage with request events turned off", () => {
  let s: Stack;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ s, close } = await pricedStack("embedded", { OBSERVABILITY_ENABLED: "false" }));
  });
  afterAll(() => close?.());

  it("still takes the counts the upstream reported, not the tokenizer's guess", async () => {
    const t = await seedToken(s);
    const answer = await client(s, t.secret).chat.completions.create({ model: "alias", messages: [{ role: "user", content: "hi" }] });
    expect(answer.usage?.prompt_tokens).toBe(1000);
    // 600 × $2 + 400 cached × $0.50 + 500 × $8 per 1M tokens: the upstream's usage, priced.
    await expect.poll(() => s.usage.token(t.tokenId), { timeout: 10_000 }).toBe(Math.round(JSON_COST * 1e9));
    expect(s.bus.stats().published).toBe(0);
  });
});
