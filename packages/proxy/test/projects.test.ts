import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, storageKinds, type Stack } from "./harness.js";

describe.each(storageKinds())("projects API on %s storage", (kind) => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack(kind);
  });
  afterAll(() => s?.close());

  const create = async (name: string, api_key = "sk-upstream-key-0123456789abcdef") => {
    const res = await s.manage("/manage/projects", { json: { name, api_key } });
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

  it("rejects duplicates, missing fields, obfuscated keys and unknown fields with 4xx", async () => {
    expect((await create("alpha")).res.status).toBe(409);
    const missing = await s.manage("/manage/projects", { json: { name: "x" } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "name and api_key are required" });
    const obf = await create("beta", "sk-upstr...cdef");
    expect(obf.body).toEqual({ error: "cannot save obfuscated API key - please provide the full API key" });
    const unknown = await s.manage("/manage/projects", { json: { name: "y", api_key: "k", admin: true } });
    expect(await unknown.json()).toEqual({ error: "unknown field 'admin'" });
    const wrongType = await s.manage("/manage/projects", { json: { name: 42, api_key: "k" } });
    expect(wrongType.status).toBe(400);
    const malformed = await s.manage("/manage/projects", { method: "POST", body: "{not json" });
    expect(await malformed.json()).toEqual({ error: "invalid request body" });
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
