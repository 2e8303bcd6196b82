import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { TEST_MANAGEMENT_TOKEN } from "./harness.js";
import { runProxy } from "./process.js";

// The tokenizer worker is a second entry of the build (dist/tokenizer-worker.js): the compiled
// proxy must find and run it, not fall back to size estimates.
describe("tokenizer fallback in the compiled proxy", () => {
  let fake: FakeUpstream | undefined;
  let dataDir = "";
  afterAll(async () => {
    await fake?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("counts prompt and completion tokens exactly in its worker thread", async () => {
    fake = await startFakeUpstream();
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "counted by the compiled proxy" }, finish_reason: "stop" }] }));
      return true;
    };
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-tokenizer-"));
    const child = runProxy([], { DATA_DIR: dataDir, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_ENABLED: "false", MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN, OPENAI_API_URL: fake.url, USAGE_FLUSH_INTERVAL: "100ms" });
    try {
      const [, url = ""] = await child.waitFor(/API, \/v1 and \/manage: (\S+)/);
      const manage = async (p: string, json?: unknown) =>
        (await fetch(`${url}${p}`, { method: json ? "POST" : "GET", headers: { authorization: `Bearer ${TEST_MANAGEMENT_TOKEN}`, "content-type": "application/json" }, ...(json ? { body: JSON.stringify(json) } : {}) })).json() as Promise<Record<string, unknown>>;
      const project = await manage("/manage/projects", { name: "p", api_key: "sk-up-0123456789" });
      const token = await manage("/manage/tokens", { project_id: project.id, duration_minutes: 5 });
      // The size estimate (bytes / 4) of this body is far from its token count: only the tokenizer gets it exact.
      const prompt = "word ".repeat(2000);
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${String(token.token)}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      const expected = { prompt_tokens: countTokens(prompt), completion_tokens: countTokens("counted by the compiled proxy") };
      await expect.poll(async () => manage(`/manage/tokens/${String(token.id)}`), { timeout: 20_000, interval: 200 }).toMatchObject(expected);
      child.proc.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.proc.kill("SIGKILL");
    }
  });
});
