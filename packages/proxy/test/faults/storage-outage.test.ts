import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../../../test/services.js";
import { seedToken } from "../gateway-helpers.js";
import { freshPostgresDatabase, startStack, type Stack } from "../harness.js";
import { startRelay, type Relay } from "./relay.js";

// Issue 12.12: /manage/* with the database unreachable answered 500 "internal server error".
describe.skipIf(!postgresUrl())("the management API while PostgreSQL is unreachable", () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let relay: Relay;
  let s: Stack;
  let seeded: Awaited<ReturnType<typeof seedToken>>;

  /** One request per kind of route: reads, writes, lists with queries, revocations, purges. */
  const calls = (): [string, string, unknown?][] => [
    ["GET", "/manage/projects"],
    ["POST", "/manage/projects", { name: "during-outage", api_key: "sk-upstream-0123456789" }],
    ["GET", `/manage/projects/${seeded.projectId}`],
    ["PATCH", `/manage/projects/${seeded.projectId}`, { name: "renamed" }],
    ["POST", `/manage/projects/${seeded.projectId}/tokens/revoke`],
    ["GET", `/manage/tokens?projectId=${seeded.projectId}`],
    ["POST", "/manage/tokens", { project_id: seeded.projectId, duration_minutes: 5 }],
    ["GET", `/manage/tokens/${seeded.tokenId}`],
    ["PATCH", `/manage/tokens/${seeded.tokenId}`, { is_active: false }],
    ["DELETE", `/manage/tokens/${seeded.tokenId}`],
    ["GET", "/manage/audit?search=x"],
    ["GET", "/manage/usage"],
    ["POST", "/manage/cache/purge", { all: true }],
  ];
  /** One management call; a call still unanswered after 20 s counts as status 0 (it would hang). */
  const call = async ([method, path, json]: [string, string, unknown?]) => {
    const res = await s.manage(path, { method, signal: AbortSignal.timeout(20_000), ...(json !== undefined ? { json } : {}) }).catch(() => undefined);
    return { call: `${method} ${path}`, status: res?.status ?? 0, body: (await res?.json().catch(() => undefined)) as unknown };
  };

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    const url = new URL(db.url);
    relay = await startRelay(Number(url.port || 5432), url.hostname);
    url.port = String(relay.port);
    s = await startStack("postgres", { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: "2" });
    seeded = await seedToken(s);
  });
  afterAll(async () => {
    await relay?.accept();
    await s?.close();
    await relay?.close();
    await db?.drop();
  });

  it("answers 503 service_unavailable with a clear message on every route, and recovers", async () => {
    await relay.refuse();
    const during = [];
    // Sequential on purpose: each call meets the outage on its own (a refused connect, or a wait).
    for (const c of calls()) during.push(await call(c));
    expect(during.filter((r) => r.status !== 503)).toEqual([]);
    for (const r of during) expect(r.body, r.call).toEqual({ error: "the database is unavailable; try again shortly", code: "service_unavailable" });

    await relay.accept();
    await expect.poll(async () => (await s.manage("/manage/projects")).status, { timeout: 30_000, interval: 200 }).toBe(200);
    const project = await s.manage(`/manage/projects/${seeded.projectId}`);
    // Nothing half-done while it was down.
    expect(((await project.json()) as { name: string }).name).not.toBe("renamed");
  }, 400_000);

  it("answers 503 when established connections are cut mid-way", async () => {
    expect((await s.manage("/manage/projects")).status).toBe(200);
    // Reset every open connection and refuse new ones in one step, as a failover does.
    await relay.refuse();
    const r = await call(["GET", "/manage/audit"]);
    expect(r).toMatchObject({ status: 503, body: { code: "service_unavailable" } });
    await relay.accept();
    await expect.poll(async () => (await s.manage("/manage/audit")).status, { timeout: 30_000, interval: 200 }).toBe(200);
  }, 120_000);
});
