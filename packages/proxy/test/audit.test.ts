import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, storageKinds, type Stack } from "./harness.js";

interface Page {
  events: { id: string; action: string; outcome: string; project_id?: string; metadata?: string; timestamp: string }[];
  pagination: { page: number; page_size: number; total_count: number; total_pages: number; has_next: boolean; has_prev: boolean };
}

describe.each(storageKinds())("audit API on %s storage", (kind) => {
  let s: Stack;
  let projectId: string;
  const list = async (query: string) => (await (await s.manage(`/manage/audit?${query}`)).json()) as Page;

  beforeAll(async () => {
    s = await startStack(kind);
    const p = await s.manage("/manage/projects", { json: { name: "audited", api_key: "sk-secret-upstream-key-999" } });
    projectId = ((await p.json()) as { id: string }).id;
    for (let i = 0; i < 4; i++) await s.manage("/manage/tokens", { json: { project_id: projectId, duration_minutes: 5 } });
    await s.manage("/manage/tokens", { json: { project_id: projectId, duration_minutes: 0 } });
  });
  afterAll(() => s?.close());

  it("records every management action with its outcome, in the same order", async () => {
    const page = await list(`project_id=${projectId}&page_size=100`);
    const actions = page.events.map((e) => `${e.action}:${e.outcome}`).reverse();
    expect(actions).toEqual([
      "project.create:success",
      "token.create:success",
      "token.create:success",
      "token.create:success",
      "token.create:success",
    ]);
    const failed = await list("action=token.create&outcome=failure");
    expect(failed.events).toHaveLength(1);
    expect(JSON.parse(failed.events[0]?.metadata ?? "{}")).toMatchObject({ http_method: "POST", endpoint: "/manage/tokens" });
  });

  it("never stores secrets in audit rows", async () => {
    const all = JSON.stringify(await list("page_size=100"));
    expect(all).not.toContain("sk-secret-upstream-key-999");
    expect(all).not.toContain(s.managementToken);
  });

  it("paginates with exact math and caps page_size at 100", async () => {
    const page = await list("action=token.create&outcome=success&page=2&page_size=3");
    expect(page.events).toHaveLength(1);
    expect(page.pagination).toEqual({ page: 2, page_size: 3, total_count: 4, total_pages: 2, has_next: false, has_prev: true });
    expect((await list("page_size=1000")).pagination.page_size).toBe(100);
    const empty = await list("action=nothing.matches");
    expect(empty).toEqual({
      events: [],
      pagination: { page: 1, page_size: 20, total_count: 0, total_pages: 0, has_next: false, has_prev: false },
    });
  });

  it("filters by time range and searches across fields", async () => {
    const all = await list(`project_id=${projectId}&page_size=100`);
    const oldest = all.events.at(-1)?.timestamp ?? "";
    expect((await list(`project_id=${projectId}&end_time=${encodeURIComponent(oldest)}`)).events).toHaveLength(1);
    expect((await list(`project_id=${projectId}&start_time=2999-01-01T00:00:00Z`)).events).toHaveLength(0);
    const search = await list(`search=${encodeURIComponent("audited")}`);
    expect(search.events.some((e) => e.action === "project.create")).toBe(true);
    expect((await list("search=%25")).pagination.total_count).toBe(0);
  });

  it("gets one event and answers 404 or 400 for bad queries", async () => {
    const first = (await list("page_size=1")).events[0];
    const one = await s.manage(`/manage/audit/${first?.id ?? ""}`);
    expect(await one.json()).toMatchObject({ id: first?.id });
    const missing = await s.manage("/manage/audit/does-not-exist");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "audit event not found" });
    for (const q of ["page=0", "page=abc", "start_time=yesterday", "page_size=-1"]) {
      expect((await s.manage(`/manage/audit?${q}`)).status).toBe(400);
    }
  });
});
