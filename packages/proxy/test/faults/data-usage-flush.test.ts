import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_COUNT } from "../../src/usage/clean.js";
import type { RecordedRequest } from "../../src/usage/recorder.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { startStack, storageKinds, type Stack } from "../harness.js";

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 50) {
    if (waited > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const recorded = (over: Partial<RecordedRequest>): RecordedRequest => ({
  tokenId: randomUUID(),
  projectId: "no-such-project",
  model: "m",
  countRequest: true,
  cacheHit: false,
  error: false,
  promptTokens: 1,
  completionTokens: 1,
  at: Date.now(),
  ...over,
});

describe.each(storageKinds())("usage accounting with bad rows and a failing database on %s storage (issue 12.5)", (kind) => {
  let fake: FakeUpstream;
  let s: Stack;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    s = await startStack(kind, { OPENAI_API_URL: fake.url, USAGE_FLUSH_INTERVAL: "1h" });
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.override = undefined;
  });

  const chat = (secret: string) => raw(s, "/v1/chat/completions", { token: secret, json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] } });
  const tokenRow = async (id: string) => (await (await s.manage(`/manage/tokens/${id}`)).json()) as Record<string, unknown>;
  /** A request through the proxy, then until its usage is recorded (off the client's path). */
  const chatRecorded = async (secret: string) => {
    const before = s.usage.pending;
    expect((await chat(secret)).status).toBe(200);
    await until(() => s.usage.pending > before);
  };
  const metric = async (name: string) => {
    const text = await (await fetch(`${s.apiUrl}/metrics/prometheus`)).text();
    return text.split("\n").find((l) => l.startsWith(name))?.split(" ")[1];
  };
  const health = async () => (await (await s.manage("/health")).json()) as { status: string; checks: Record<string, { status: string }> };

  it("cleans garbage counts from the upstream before storage, and other tokens' counts commit", async () => {
    const garbage = await seedToken(s);
    const normal = await seedToken(s);
    fake.override = (req, res) => {
      if (req.headers.authorization !== `Bearer ${garbage.apiKey}`) return false;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "x", object: "chat.completion", choices: [], usage: { prompt_tokens: 1e30, completion_tokens: 2.5 } }));
      return true;
    };
    await chatRecorded(garbage.secret);
    await chatRecorded(normal.secret);
    await s.usage.flush();
    expect(s.usage.pending).toBe(0);
    expect(await tokenRow(garbage.tokenId)).toMatchObject({ request_count: 1, prompt_tokens: MAX_COUNT, completion_tokens: 2 });
    expect(await tokenRow(normal.tokenId)).toMatchObject({ request_count: 1, prompt_tokens: 11, completion_tokens: 7 });
  });

  it("stores a model name without control characters, at most 200 characters long", async () => {
    const t = await seedToken(s);
    s.usage.record(recorded({ tokenId: t.tokenId, projectId: t.projectId, model: "bad\u0000mo\u0007del" }));
    s.usage.record(recorded({ tokenId: t.tokenId, projectId: t.projectId, model: "x".repeat(5000), promptTokens: Number.NaN, completionTokens: -4 }));
    await s.usage.flush();
    const rows = await s.db.sql<{ model: string; prompt_tokens: number; completion_tokens: number }[]>`
      SELECT model, prompt_tokens, completion_tokens FROM usage_hourly WHERE project_id = ${t.projectId} ORDER BY model`;
    expect(rows).toEqual([
      { model: "badmodel", prompt_tokens: 1, completion_tokens: 1 },
      { model: "x".repeat(200), prompt_tokens: 0, completion_tokens: 0 },
    ]);
  });

  it("drops a row the database refuses (log + metric), commits the rest and never retries it", async () => {
    const t = await seedToken(s);
    // A rollup for a project that does not exist: a foreign-key violation no retry can fix.
    s.usage.record(recorded({}));
    await chatRecorded(t.secret);
    await s.usage.flush();
    expect(s.usage.pending).toBe(0);
    expect(await tokenRow(t.tokenId)).toMatchObject({ request_count: 1, prompt_tokens: 11 });
    expect(await metric('llm_proxy_usage_rows_rejected_total{table="usage_hourly"}')).toBe("1");
    await chatRecorded(t.secret);
    await s.usage.flush();
    expect(await tokenRow(t.tokenId)).toMatchObject({ request_count: 2, prompt_tokens: 22 });
    expect(await metric('llm_proxy_usage_rows_rejected_total{table="usage_hourly"}')).toBe("1");
    expect((await health()).status).toBe("ok");
  });

  it("reports /health degraded while flushes fail, and loses nothing once the database takes writes again", async () => {
    const t = await seedToken(s);
    await s.db.sql`ALTER TABLE usage_hourly RENAME TO usage_hourly_away`;
    try {
      await chatRecorded(t.secret);
      await expect(s.usage.flush()).rejects.toThrow();
      await expect(s.usage.flush()).rejects.toThrow();
      expect(s.usage.pending).toBeGreaterThan(0);
      const h = await health();
      expect(h.status).toBe("degraded");
      expect(h.checks.usage?.status).toBe("down");
      expect(Number(await metric("llm_proxy_usage_flush_failures_total"))).toBeGreaterThanOrEqual(2);
    } finally {
      await s.db.sql`ALTER TABLE usage_hourly_away RENAME TO usage_hourly`;
    }
    await s.usage.flush();
    expect(s.usage.pending).toBe(0);
    expect((await health()).status).toBe("ok");
    expect(await tokenRow(t.tokenId)).toMatchObject({ request_count: 1, prompt_tokens: 11 });
    const [rollup] = await s.db.sql<{ requests: number }[]>`SELECT sum(requests)::int AS requests FROM usage_hourly WHERE project_id = ${t.projectId}`;
    expect(rollup?.requests).toBe(1);
  });

  it("stop() also writes what was recorded while a flush was under way", async () => {
    const t = await seedToken(s);
    s.usage.record(recorded({ tokenId: t.tokenId, projectId: t.projectId, promptTokens: 5 }));
    const inFlight = s.usage.flush();
    s.usage.record(recorded({ tokenId: t.tokenId, projectId: t.projectId, promptTokens: 7 }));
    await s.usage.stop();
    await inFlight;
    expect(s.usage.pending).toBe(0);
    expect(await tokenRow(t.tokenId)).toMatchObject({ request_count: 2, prompt_tokens: 12 });
  });
});

describe.each(storageKinds())("usage deltas at shutdown on %s storage (issue 12.5)", (kind) => {
  let fake: FakeUpstream;
  let first: Stack | undefined;
  let second: Stack | undefined;
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await fake?.close();
  });

  it("are written at shutdown even when the batch holds a row the database refuses", async () => {
    fake = await startFakeUpstream();
    first = await startStack(kind, { OPENAI_API_URL: fake.url, USAGE_FLUSH_INTERVAL: "1h" });
    const t = await seedToken(first);
    first.usage.record(recorded({}));
    expect((await raw(first, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } })).status).toBe(200);
    await until(() => (first?.usage.pending ?? 0) >= 3);
    await first.stop();

    const storage = first.config.storage;
    second = await startStack(kind, storage.kind === "postgres" ? { DATABASE_URL: storage.url } : { DATA_DIR: first.config.dataDir });
    const row = (await (await second.manage(`/manage/tokens/${t.tokenId}`)).json()) as Record<string, unknown>;
    expect(row).toMatchObject({ request_count: 1, prompt_tokens: 11, completion_tokens: 7 });
  });
});
