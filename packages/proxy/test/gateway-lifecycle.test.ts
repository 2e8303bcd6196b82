import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeEvent } from "@llm-proxy/events";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeUpstream } from "./fake-upstream.js";
import { runProxy } from "./process.js";

const MT = "lifecycle-management-token-000";

describe("graceful shutdown of the data plane", () => {
  let dir = "";
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("finishes a 3-second stream after SIGTERM, refuses new connections, and flushes usage and events", async () => {
    const fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-sigterm-"));
    const env = {
      DATA_DIR: dir,
      LISTEN_ADDR: "127.0.0.1:0",
      ADMIN_UI_ENABLED: "false",
      MANAGEMENT_TOKEN: MT,
      OPENAI_API_URL: fake.url,
      USAGE_FLUSH_INTERVAL: "1h",
      FILE_EVENT_LOG: path.join(dir, "events.jsonl"),
    };
    const auth = { authorization: `Bearer ${MT}`, "content-type": "application/json" };
    const first = runProxy([], env);
    const [, url = ""] = await first.waitFor(/API, \/v1 and \/manage: (\S+)/);
    const project = (await (await fetch(`${url}/manage/projects`, { method: "POST", headers: auth, body: JSON.stringify({ name: "p", api_key: "sk-up-0123456789" }) })).json()) as { id: string };
    const token = (await (await fetch(`${url}/manage/tokens`, { method: "POST", headers: auth, body: JSON.stringify({ project_id: project.id, duration_minutes: 5 }) })).json()) as { id: string; token: string };

    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token.token}`, "content-type": "application/json", "x-fake-chunk-delay-ms": "600" },
      body: JSON.stringify({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] }),
    });
    const body = res.text();
    await new Promise((r) => setTimeout(r, 400));
    first.proc.kill("SIGTERM");
    await first.waitFor(/shutting down/);
    await expect(fetch(`${url}/live`)).rejects.toThrow();
    const text = await body;
    expect(text).toContain('"content":" stream"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(await first.exited).toBe(0);

    const events = (await fs.readFile(env.FILE_EVENT_LOG, "utf8")).trim().split("\n").map((l) => decodeEvent(l));
    const chat = events.find((e) => e.ok && e.event.path === "/v1/chat/completions");
    expect(chat).toMatchObject({
      ok: true,
      event: { project_id: project.id, token_id: token.id, model: "gpt-4o-mini", streaming: true, status: 200, usage: { prompt_tokens: 9, completion_tokens: 5 } },
    });

    const second = runProxy([], env);
    const [, url2 = ""] = await second.waitFor(/API, \/v1 and \/manage: (\S+)/);
    const row = (await (await fetch(`${url2}/manage/tokens/${token.id}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(row).toMatchObject({ request_count: 1, prompt_tokens: 9, completion_tokens: 5 });
    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    await fake.close();
  });
});
