import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedToken } from "../gateway-helpers.js";
import { startStack, storageKinds, type Stack } from "../harness.js";

interface Case {
  name: string;
  method: string;
  path: string;
  json?: unknown;
}

/** Every /manage route that takes a string, with a NUL in each string it takes (ids, queries, body fields). */
function cases(projectId: string): Case[] {
  const n = "a\u0000b";
  return [
    { name: "project id (get)", method: "GET", path: "/manage/projects/a%00b" },
    { name: "project id (patch)", method: "PATCH", path: "/manage/projects/a%00b", json: { name: "x" } },
    { name: "project id (delete)", method: "DELETE", path: "/manage/projects/a%00b" },
    { name: "project id (bulk revoke)", method: "POST", path: "/manage/projects/a%00b/tokens/revoke" },
    { name: "project name (create)", method: "POST", path: "/manage/projects", json: { name: n, api_key: "sk-upstream-0123456789" } },
    { name: "project api_key (create)", method: "POST", path: "/manage/projects", json: { name: "nul-key", api_key: `sk-${n}-0123456789` } },
    { name: "project name (patch)", method: "PATCH", path: `/manage/projects/${projectId}`, json: { name: n } },
    { name: "project api_key (patch)", method: "PATCH", path: `/manage/projects/${projectId}`, json: { api_key: n } },
    { name: "tokens projectId query", method: "GET", path: "/manage/tokens?projectId=a%00b" },
    { name: "query parameter name", method: "GET", path: "/manage/tokens?a%00b=1" },
    { name: "token project_id (create)", method: "POST", path: "/manage/tokens", json: { project_id: n, duration_minutes: 5 } },
    { name: "token id (get)", method: "GET", path: "/manage/tokens/a%00b" },
    { name: "token id (patch)", method: "PATCH", path: "/manage/tokens/a%00b", json: { is_active: false } },
    { name: "token id (delete)", method: "DELETE", path: "/manage/tokens/a%00b" },
    ...["search", "action", "client_ip", "project_id", "outcome", "actor", "request_id", "correlation_id", "method", "path", "start_time"].map((q) => ({
      name: `audit ${q} query`,
      method: "GET",
      path: `/manage/audit?${q}=a%00b`,
    })),
    { name: "audit id", method: "GET", path: "/manage/audit/a%00b" },
    ...["project_id", "token_id", "granularity", "start_time"].map((q) => ({ name: `usage ${q} query`, method: "GET", path: `/manage/usage?${q}=a%00b` })),
    { name: "purge url", method: "POST", path: "/manage/cache/purge", json: { url: `/v1/${n}` } },
    { name: "purge prefix", method: "POST", path: "/manage/cache/purge", json: { prefix: `/v1/${n}` } },
    { name: "purge project_id", method: "POST", path: "/manage/cache/purge", json: { project_id: n } },
    { name: "purge method", method: "POST", path: "/manage/cache/purge", json: { method: n, all: true } },
    { name: "admin session id (get)", method: "GET", path: "/manage/admin/sessions/a%00b" },
    { name: "admin session id (delete)", method: "DELETE", path: "/manage/admin/sessions/a%00b" },
  ];
}

// Issue 12.12: PostgreSQL text cannot hold NUL; management input with one was a 500 and left no audit row.
describe.each(storageKinds())("NUL characters in management input (%s)", (kind) => {
  let s: Stack;
  let all: Case[];

  beforeAll(async () => {
    s = await startStack(kind);
    const a = await seedToken(s);
    all = cases(a.projectId);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("ignores unknown fields holding NUL, as any unknown field (nothing of them is stored)", async () => {
    const n = "a\u0000b";
    const created = await s.manage("/manage/projects", { json: { [n]: "x", note: n, name: "nul-ignored", api_key: "sk-upstream-0123456789" } });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const patched = await s.manage(`/manage/projects/${id}`, { method: "PATCH", json: { name: "nul-ignored-2", note: n } });
    expect(await patched.json()).toMatchObject({ id, name: "nul-ignored-2" });
  });

  it("is a 400 naming the field for every route that takes a string, and audited", async () => {
    const seen: { name: string; status: number; body: unknown; requestId: string }[] = [];
    for (const c of all) {
      const res = await s.manage(c.path, { method: c.method, ...(c.json !== undefined ? { json: c.json } : {}) });
      seen.push({ name: c.name, status: res.status, body: await res.json(), requestId: res.headers.get("x-request-id") ?? "" });
    }
    const failed = seen.filter((r) => r.status !== 400 || !/must not contain NUL characters$/.test((r.body as { error?: string }).error ?? ""));
    expect(failed).toEqual([]);
    for (const r of seen) expect(JSON.stringify(r.body)).not.toContain("\\u0000");
    // One failure row per refused request, found by its request id.
    const unaudited: string[] = [];
    for (const r of seen) {
      const page = (await (await s.manage(`/manage/audit?request_id=${r.requestId}`)).json()) as { events: { outcome: string; reason?: string }[] };
      const row = page.events[0];
      if (page.events.length !== 1 || row?.outcome !== "failure" || !/NUL/.test(row.reason ?? "")) unaudited.push(`${r.name}: ${JSON.stringify(page.events)}`);
    }
    expect(unaudited).toEqual([]);
  });

  it("keeps serving afterwards, and stores nothing from the refused input", async () => {
    const res = await s.manage("/manage/projects");
    expect(res.status).toBe(200);
    const names = ((await res.json()) as { name: string }[]).map((p) => p.name);
    expect(names.some((n) => n.includes("\u0000") || n === "nul-key")).toBe(false);
  });
});
