import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../../../test/services.js";
import { freshPostgresDatabase, startStack, TEST_MANAGEMENT_TOKEN, type Stack } from "../harness.js";
import { runProxy, type Child } from "../process.js";
import { adminApp, FormClient } from "../admin/support.js";
import { startRelay, type Relay } from "./relay.js";

type Health = { status: string; checks: Record<string, { status: string; error?: string }> };

describe.skipIf(!postgresUrl())("/ready and /health during a PostgreSQL outage", () => {
  const METRICS_TOKEN = "metrics-token-for-health-0123";
  let s: Stack;
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let link: Relay;
  beforeAll(async () => {
    pg = await freshPostgresDatabase();
    const url = new URL(pg.url);
    link = await startRelay(Number(url.port || 5432), url.hostname);
    url.host = `127.0.0.1:${link.port}`;
    s = await startStack("postgres", { DATABASE_URL: url.toString(), METRICS_TOKEN });
  }, 120_000);
  afterAll(async () => {
    await link?.accept();
    await s?.close();
    await link?.close();
    await pg?.drop();
  });

  const health = async (bearer?: string) => {
    const res = await fetch(`${s.apiUrl}/health`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    return { status: res.status, body: (await res.json()) as Health };
  };

  it("keeps /ready 200 while /health answers 503, and shows the error text only to token holders", { timeout: 60_000 }, async () => {
    expect((await fetch(`${s.apiUrl}/ready`)).status).toBe(200);
    expect((await health()).status).toBe(200);
    const admin = new FormClient(adminApp(s, "in-process"), { "user-agent": "AdminTest/1.0" });
    await admin.signIn(s.managementToken);
    await link.refuse();

    // The load balancer's check: this process can still serve (cached tokens), so it stays in.
    const ready = await fetch(`${s.apiUrl}/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, "ready"]);

    const anonymous = await health();
    expect(anonymous.status).toBe(503);
    expect(anonymous.body.status).toBe("down");
    expect(anonymous.body.checks.database).toEqual({ status: "down" });
    for (const bearer of [TEST_MANAGEMENT_TOKEN, METRICS_TOKEN]) {
      const detailed = await health(bearer);
      expect(detailed.status).toBe(503);
      expect(detailed.body.checks.database?.error).toEqual(expect.any(String));
    }
    expect((await health("not-a-token-at-all")).body.checks.database).toEqual({ status: "down" });
    expect((await fetch(`${s.apiUrl}/ready`)).status).toBe(200);
    // The admin UI says so promptly instead of a 500 or a page that hangs until the database is back.
    const page = await admin.get("/projects");
    expect([page.status, await page.text()]).toEqual([503, expect.stringContaining("the database is unavailable")]);

    await link.accept();
    for (let i = 0; i < 50 && (await health()).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await health()).status).toBe(200);
  });
});

describe("/ready while draining", () => {
  let child: Child | undefined;
  let dataDir = "";
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-ready-"));
  });
  afterAll(async () => {
    child?.proc.kill("SIGKILL");
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("answers 503 on /ready after SIGTERM while the listener still serves, then exits cleanly", { timeout: 120_000 }, async () => {
    child = runProxy(["serve"], { DATA_DIR: dataDir, LISTEN_ADDR: "127.0.0.1:0", ADMIN_UI_ENABLED: "false", SHUTDOWN_DELAY: "4s", LOG_LEVEL: "info" });
    const [, apiUrl] = await child.waitFor(/API, \/v1 and \/manage: (http:\/\/\S+)/);
    expect((await fetch(`${apiUrl}/ready`)).status).toBe(200);
    child.proc.kill("SIGTERM");
    let ready: Response | undefined;
    for (let i = 0; i < 40; i++) {
      ready = await fetch(`${apiUrl}/ready`);
      if (ready.status === 503) break;
      await ready.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([ready?.status, await ready?.text()]).toEqual([503, "draining"]);
    expect((await fetch(`${apiUrl}/live`)).status).toBe(200);
    expect(await child.exited).toBe(0);
  });
});
