import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUrl } from "../../../../test/services.js";
import { adminApp, FormClient, serveAdmin, SESSION_SECRET } from "../admin/support.js";
import { freshPostgresDatabase, startStack, type Stack } from "../harness.js";

const overHttp = (base: string) => new FormClient({ request: (path, init) => fetch(base + path, { ...init, redirect: "manual" }) });

/** What a copied session cookie gets on /dashboard: 200 while the session lives, 303 to sign-in after. */
const withCookie = async (base: string, cookie: string) => {
  const res = await fetch(`${base}/dashboard`, { headers: { cookie: `llmproxy_session=${cookie}` }, redirect: "manual" });
  await res.body?.cancel();
  return res.status;
};

describe.skipIf(!postgresUrl())("admin sessions end on every instance (two instances, one PostgreSQL)", () => {
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    pg = await freshPostgresDatabase();
    const env = { DATABASE_URL: pg.url, ADMIN_UI_SESSION_SECRET: SESSION_SECRET };
    a = await startStack("postgres", env);
    b = await startStack("postgres", env);
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.drop();
  });

  const signedInCookie = async (base: string) => {
    const client = overHttp(base);
    expect((await client.signIn(a.managementToken, true)).status).toBe(303);
    return { client, cookie: client.cookie("llmproxy_session") ?? "" };
  };

  it("refuses a copied cookie on both instances after sign-out on one", { timeout: 60_000 }, async () => {
    const { client, cookie } = await signedInCookie(a.adminUrl ?? "");
    expect(await withCookie(a.adminUrl ?? "", cookie)).toBe(200);
    expect(await withCookie(b.adminUrl ?? "", cookie)).toBe(200);

    const _csrf = await client.csrf("/dashboard");
    expect((await client.post("/auth/logout", { _csrf })).status).toBe(303);

    expect(await withCookie(a.adminUrl ?? "", cookie)).toBe(303);
    expect(await withCookie(b.adminUrl ?? "", cookie)).toBe(303);
  });

  it("ends the session through the management API for the standalone admin UI too", { timeout: 60_000 }, async () => {
    const standalone = await serveAdmin(adminApp(a, "http"));
    try {
      const { client, cookie } = await signedInCookie(standalone.url);
      expect(await withCookie(standalone.url, cookie)).toBe(200);
      expect((await client.get("/auth/logout")).status).toBe(303);
      expect(await withCookie(standalone.url, cookie)).toBe(303);
      const audit = await (await a.manage("/manage/audit?action=admin.logout")).json() as { events: unknown[] };
      expect(audit.events.length).toBeGreaterThan(0);
    } finally {
      await standalone.close();
    }
  });

  it("refuses a session made under a management token that was rotated since", { timeout: 120_000 }, async () => {
    const { cookie } = await signedInCookie(b.adminUrl ?? "");
    expect(await withCookie(b.adminUrl ?? "", cookie)).toBe(200);
    const rotated = await startStack("postgres", { DATABASE_URL: pg.url, ADMIN_UI_SESSION_SECRET: SESSION_SECRET, MANAGEMENT_TOKEN: "a-rotated-management-token-987654" });
    try {
      expect(await withCookie(rotated.adminUrl ?? "", cookie)).toBe(303);
    } finally {
      await rotated.close();
    }
  });
});
