import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FormClient } from "../admin/support.js";
import { startStack, TEST_MANAGEMENT_TOKEN, type Stack } from "../harness.js";

interface AuditPage {
  events: { client_ip?: string; reason?: string; metadata?: string }[];
}

const auditOf = async (s: Stack, query: string) => ((await (await s.manage(`/manage/audit?page_size=100&${query}`)).json()) as AuditPage).events;
const countOf = (e: { metadata?: string }) => Number((JSON.parse(e.metadata ?? "{}") as { count?: number }).count ?? 0);

/** A FormClient over the real admin listener, so the socket address is the real one. */
const overHttp = (base: string, headers: Record<string, string>) =>
  new FormClient({ request: (path, init) => fetch(base + path, { ...init, redirect: "manual" }) }, headers);

describe("management auth and client IP with no trusted proxy (the default)", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack("embedded");
  }, 120_000);
  afterAll(() => s?.close());

  it("accepts the Bearer scheme in any case", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
      const res = await fetch(`${s.apiUrl}/manage/projects`, { headers: { authorization: `${scheme} ${TEST_MANAGEMENT_TOKEN}` } });
      expect(res.status, scheme).toBe(200);
    }
  });

  it("records the socket address, not a forged X-Forwarded-For, on failed management auth", async () => {
    const res = await fetch(`${s.apiUrl}/manage/projects`, { headers: { authorization: "Bearer wrong-token-forged-ip", "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7" } });
    expect(res.status).toBe(401);
    expect(await auditOf(s, "client_ip=6.6.6.6")).toEqual([]);
    expect(await auditOf(s, "client_ip=7.7.7.7")).toEqual([]);
    const rows = await auditOf(s, "action=management.auth&client_ip=127.0.0.1");
    expect(rows.length).toBeGreaterThan(0);
  });

  it("does not let a new X-Forwarded-For per try dodge the admin sign-in throttle", { timeout: 60_000 }, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const client = overHttp(s.adminUrl ?? "", { "x-forwarded-for": `198.51.100.${i + 1}` });
      statuses.push((await client.signIn(`wrong-token-number-${i}-aaaaaaaa`)).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const rows = await auditOf(s, "action=admin.login&outcome=denied");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.client_ip === "127.0.0.1")).toBe(true);
  });
});

describe("management auth behind one trusted proxy (TRUSTED_PROXIES=1)", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack("embedded", { TRUSTED_PROXIES: "1" });
  }, 120_000);
  afterAll(() => s?.close());

  it("throttles 2,000 wrong tries from one client with 429s and records them in a few counted rows", { timeout: 180_000 }, async () => {
    const attacker = "198.51.100.20";
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    let throttledBody: unknown;
    let next = 0;
    const worker = async () => {
      while (next < 2000) {
        next++;
        const res = await fetch(`${s.apiUrl}/manage/projects`, { headers: { authorization: `Bearer wrong-${next}`, "x-forwarded-for": attacker } });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 429) {
          retryAfter = res.headers.get("retry-after");
          throttledBody = await res.json();
        } else await res.body?.cancel();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0)).toBe(2000);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(1900);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(throttledBody).toEqual({ error: expect.stringMatching(/^too many failed management authentication attempts; retry in \d+ seconds$/) });

    // Another client is not locked out by the attacker's failures.
    const admin = await s.manage("/manage/projects", { headers: { "x-forwarded-for": "198.51.100.21" } });
    expect(admin.status).toBe(200);

    // Still audited, but aggregated: a row per reason and window, whose counts add up to every try.
    let rows: AuditPage["events"] = [];
    for (let i = 0; i < 100; i++) {
      rows = await auditOf(s, `action=management.auth&client_ip=${attacker}`);
      if (rows.reduce((n, r) => n + countOf(r), 0) === 2000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.reduce((n, r) => n + countOf(r), 0)).toBe(2000);
    expect(rows.map((r) => r.reason)).toEqual(expect.arrayContaining(["invalid management token", "too many failed attempts"]));
  });
});
