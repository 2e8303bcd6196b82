import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, storageKinds, type Stack } from "./harness.js";

describe.each(storageKinds())("projects API on %s storage", (kind) => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack(kind);
  });
  afterAll(() => s?.close());

  const create = async (name: string, api_key = "sk-upstream-key-0123456789abcdef", extra: Record<string, unknown> = {}) => {
    const res = await s.manage("/manage/projects", { json: { ...extra, name, api_key } });
    return { res, body: (await res.json()) as Record<string, unknown> };
  };

  it("creates a project with 201 and never echoes the plaintext key", async () => {
    const { res, body } = await create("alpha");
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(body).toMatchObject({ name: "alpha", is_active: true, api_key: "sk-upstr...cdef" });
    expect(JSON.stringify(body)).not.toContain("0123456789abcdef");
  });

  it("lists projects sorted by name with obfuscated keys", async () => {
    await create("Ünïcode 'name'; DROP TABLE projects;--", "short");
    const res = await s.manage("/manage/projects");
    expect(res.status).toBe(200);
    const list = (await res.json()) as { name: string; api_key: string }[];
    expect(list.map((p) => p.name)).toEqual(["alpha", "Ünïcode 'name'; DROP TABLE projects;--"]);
    expect(list[1]?.api_key).toBe("sh***");
  });

  it("rejects duplicates, missing fields, obfuscated keys and wrongly typed fields with 4xx", async () => {
    expect((await create("alpha")).res.status).toBe(409);
    const missing = await s.manage("/manage/projects", { json: { name: "x" } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "name and api_key are required" });
    const obf = await create("beta", "sk-upstr...cdef");
    expect(obf.body).toEqual({ error: "cannot save obfuscated API key - please provide the full API key" });
    const wrongType = await s.manage("/manage/projects", { json: { name: 42, api_key: "k", admin: true } });
    expect([wrongType.status, await wrongType.json()]).toEqual([400, { error: "name must be a string" }]);
    const wrongFlag = await s.manage("/manage/projects/x", { method: "PATCH", json: { is_active: "no", extra: 1 } });
    expect([wrongFlag.status, await wrongFlag.json()]).toEqual([400, { error: "is_active must be a boolean" }]);
    const malformed = await s.manage("/manage/projects", { method: "POST", body: "{not json" });
    expect(await malformed.json()).toEqual({ error: "invalid request body" });
  });

  it("ignores unknown fields, as the original does, and never stores them", async () => {
    const extra = { id: "chosen-id", is_active: false, deactivated_at: "2020-01-01T00:00:00Z", created_at: "2020-01-01T00:00:00Z", admin: true };
    const { res, body } = await create("ignored-fields", undefined, extra);
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ name: "ignored-fields", is_active: true });
    expect(body.id).not.toBe("chosen-id");
    expect(body).not.toHaveProperty("admin");
    expect(body).not.toHaveProperty("deactivated_at");
    const patched = await s.manage(`/manage/projects/${String(body.id)}`, { method: "PATCH", json: { name: "ignored-2", created_at: "2020-01-01T00:00:00Z", owner: "x" } });
    expect(await patched.json()).toMatchObject({ name: "ignored-2", created_at: body.created_at });
    const stored = (await (await s.manage(`/manage/projects/${String(body.id)}`)).json()) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(["api_key", "created_at", "id", "is_active", "monthly_budget_usd", "name", "spend_usd", "updated_at"]);
    expect(stored).toMatchObject({ id: body.id, name: "ignored-2", is_active: true, created_at: body.created_at });
    const audit = await (await s.manage(`/manage/audit?project_id=${String(body.id)}`)).text();
    expect(audit).not.toContain("owner");
  });

  it("answers the original's 400 when the id is empty, and 405 for deleting it", async () => {
    for (const method of ["GET", "PATCH"]) {
      const res = await s.manage("/manage/projects/", { method, ...(method === "PATCH" ? { json: { name: "n" } } : {}) });
      expect([method, res.status, await res.json()]).toEqual([method, 400, { error: "invalid project id" }]);
    }
    const revoke = await s.manage("/manage/projects//tokens/revoke", { method: "POST" });
    expect([revoke.status, await revoke.json()]).toEqual([400, { error: "invalid path" }]);
    const del = await s.manage("/manage/projects/", { method: "DELETE" });
    expect([del.status, del.headers.get("allow")]).toEqual([405, "GET, PATCH"]);
    const put = await s.manage("/manage/projects/", { method: "PUT" });
    expect([put.status, put.headers.get("allow"), await put.json()]).toEqual([405, "GET, PATCH", { error: "method not allowed" }]);
    const audit = (await (await s.manage("/manage/audit?action=management.invalid_input&search=invalid%20project%20id")).json()) as { events: unknown[] };
    expect(audit.events).toHaveLength(2);
  });

  it("refuses deletion with 405 and Allow, and audits it", async () => {
    const { body } = await create("gamma");
    const res = await s.manage(`/manage/projects/${String(body.id)}`, { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, PATCH");
    expect(await res.json()).toEqual({ error: "method not allowed", message: "project deletion is not permitted" });
    const audit = (await (await s.manage(`/manage/audit?action=project.delete&project_id=${String(body.id)}`)).json()) as {
      events: { outcome: string }[];
    };
    expect(audit.events.map((e) => e.outcome)).toEqual(["denied"]);
  });
});
