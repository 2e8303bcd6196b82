import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { runProxy, type Child } from "../process.js";

const MT = "faults-kill-management-token-0123";

interface Row {
  id: string;
  name?: string;
  is_active?: boolean;
  request_count?: number;
}

/**
 * kill -9 of the embedded proxy (the real entry point, PGlite in DATA_DIR): every write it
 * acknowledged is there after a restart, including ones acknowledged while others were still in
 * flight at the kill. (kill -9 of the dispatcher mid-batch: packages/dispatcher/test/crash-recovery.test.ts.)
 */
describe("the embedded proxy killed (kill -9) or stopped (SIGTERM) mid-work", () => {
  let fake: FakeUpstream;
  let dir = "";
  const children: Child[] = [];
  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-kill-"));
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
      await c.exited;
    }
    await fake?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<string> {
    // Usage counters are flushed on an interval and may lose that interval to a kill -9: not asserted here.
    const child = runProxy([], { DATA_DIR: dir, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_ENABLED: "false", MANAGEMENT_TOKEN: MT, OPENAI_API_URL: fake.url, USAGE_FLUSH_INTERVAL: "1h" });
    children.push(child);
    const [, url = ""] = await child.waitFor(/API, \/v1 and \/manage: (\S+)/, 90_000);
    return url;
  }
  async function kill9(): Promise<void> {
    const child = children.at(-1) as Child;
    child.proc.kill("SIGKILL");
    await child.exited;
  }
  const manage = (url: string, p: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${url}/manage${p}`, {
      method: init.method ?? (init.json ? "POST" : "GET"),
      headers: { authorization: `Bearer ${MT}`, "content-type": "application/json" },
      ...(init.json ? { body: JSON.stringify(init.json) } : {}),
    });
  const list = async (url: string, p: string) => (await (await manage(url, p)).json()) as Row[];
  const chat = async (url: string, secret: string) =>
    (await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify({ model: "m", messages: [] }) })).status;

  it("keeps projects, tokens, revocations, quota use and audit rows it acknowledged, even with writes in flight at the kill", { timeout: 240_000 }, async () => {
    let url = await start();
    const project = (await (await manage(url, "/projects", { json: { name: "kept", api_key: "sk-up-kill-0123456789" } })).json()) as Row;
    const token = async (extra: Record<string, unknown> = {}) =>
      (await (await manage(url, "/tokens", { json: { project_id: project.id, duration_minutes: 60, ...extra } })).json()) as { id: string; token: string };
    const live = await token();
    const revoked = await token();
    const limited = await token({ max_requests: 3 });
    expect(await manage(url, `/tokens/${revoked.id}`, { method: "DELETE" }).then((r) => r.status)).toBeLessThan(300);
    expect(await manage(url, `/projects/${project.id}`, { method: "PATCH", json: { name: "kept-renamed" } }).then((r) => r.status)).toBe(200);
    expect([await chat(url, limited.token), await chat(url, limited.token)]).toEqual([200, 200]);
    const audit = ((await (await manage(url, "/audit?limit=500")).json()) as { events: Row[] }).events.map((e) => e.id);
    expect(audit.length).toBeGreaterThanOrEqual(5);

    // Writes in flight: kill as soon as a few are acknowledged; those must all survive.
    const acknowledged: string[] = [];
    const inFlight = Array.from({ length: 30 }, (_, i) =>
      manage(url, "/projects", { json: { name: `burst-${i}`, api_key: "sk-up-kill-0123456789" } }).then(
        (r) => void (r.status === 201 && acknowledged.push(`burst-${i}`)),
        () => {},
      ),
    );
    await expect.poll(() => acknowledged.length, { timeout: 30_000, interval: 5 }).toBeGreaterThanOrEqual(3);
    await kill9();
    await Promise.all(inFlight);
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    expect(acknowledged.length).toBeLessThan(30); // really mid-burst

    url = await start();
    const names = (await list(url, "/projects")).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["kept-renamed", ...acknowledged]));
    const tokens = await list(url, "/tokens");
    expect(tokens.find((t) => t.id === revoked.id)?.is_active).toBe(false);
    expect(tokens.find((t) => t.id === live.id)?.is_active).toBe(true);
    const after = ((await (await manage(url, "/audit?limit=500")).json()) as { events: Row[] }).events.map((e) => e.id);
    expect(after).toEqual(expect.arrayContaining(audit));

    // The data plane agrees: the live token works, the revoked one does not, the quota remembers.
    expect(await chat(url, live.token)).toBe(200);
    expect(await chat(url, revoked.token)).toBe(401);
    expect([await chat(url, limited.token), await chat(url, limited.token)]).toEqual([200, 429]);

    // And once more, now straight after those acknowledged requests.
    await kill9();
    url = await start();
    expect([await chat(url, limited.token), await chat(url, live.token)]).toEqual([429, 200]);
  });

  it("exits within SHUTDOWN_TIMEOUT on SIGTERM while an upstream hangs, and aborts it", { timeout: 120_000 }, async () => {
    fake.override = (req) => req.url?.endsWith("/chat/completions") === true; // never answers
    const own = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-hang-"));
    const child = runProxy([], { DATA_DIR: own, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_ENABLED: "false", MANAGEMENT_TOKEN: MT, OPENAI_API_URL: fake.url, SHUTDOWN_TIMEOUT: "1s" });
    children.push(child);
    try {
      const [, url = ""] = await child.waitFor(/API, \/v1 and \/manage: (\S+)/, 90_000);
      const project = (await (await manage(url, "/projects", { json: { name: "hang", api_key: "sk-up-kill-0123456789" } })).json()) as Row;
      const token = (await (await manage(url, "/tokens", { json: { project_id: project.id, duration_minutes: 5 } })).json()) as { token: string };
      const seen = fake.seen.length;
      const pending = chat(url, token.token).catch(() => 0);
      await expect.poll(() => fake.seen.length, { timeout: 10_000 }).toBe(seen + 1);
      const started = performance.now();
      child.proc.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(await pending).not.toBe(200);
      await expect.poll(() => fake.seen.at(-1)?.aborted, { timeout: 5000 }).toBe(true);
    } finally {
      fake.override = undefined;
      await fs.rm(own, { recursive: true, force: true });
    }
  });
});
