import { afterAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { freshPostgresDatabase, startStack } from "./harness.js";
import { postgresUrl } from "../../../test/services.js";

// Usage the tokenizer counts after the response ended must still reach the final flush.
describe.runIf(postgresUrl())("usage counted by the tokenizer at shutdown", () => {
  let fake: FakeUpstream | undefined;
  afterAll(() => fake?.close());

  it("is written by the final flush, not lost behind it", async () => {
    fake = await startFakeUpstream();
    // An answer without `usage`: the proxy counts prompt and completion itself.
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "counted by the proxy" }, finish_reason: "stop" }] }));
      return true;
    };
    const pg = await freshPostgresDatabase();
    const env = { DATABASE_URL: pg.url, OPENAI_API_URL: fake.url, USAGE_FLUSH_INTERVAL: "1h" };
    const first = await startStack("postgres", env);
    const project = (await (await first.manage("/manage/projects", { json: { name: "p", api_key: "sk-up-0123456789" } })).json()) as { id: string };
    const token = (await (await first.manage("/manage/tokens", { json: { project_id: project.id, duration_minutes: 5 } })).json()) as { id: string; token: string };
    const prompt = "word ".repeat(200_000);
    const res = await fetch(`${first.apiUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    await first.close();

    const second = await startStack("postgres", env);
    try {
      const row = (await (await second.manage(`/manage/tokens/${token.id}`)).json()) as { prompt_tokens: number; completion_tokens: number };
      expect(row.prompt_tokens).toBeGreaterThan(100_000);
      expect(row.completion_tokens).toBeGreaterThan(0);
    } finally {
      await second.close();
      await pg.drop();
    }
  });
});
