import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, storageKinds, type Stack } from "./harness.js";

describe.each(storageKinds())("tokens API on %s storage", (kind) => {
  let s: Stack;
  let projectId: string;
  beforeAll(async () => {
    s = await startStack(kind);
    const res = await s.manage("/manage/projects", { json: { name: "tokens-project", api_key: "sk-upstream-abcdefghijklmnop" } });
    projectId = ((await res.json()) as { id: string }).id;
  });
  afterAll(() => s?.close());

  const create = async (json: unknown) => {
    const res = await s.manage("/manage/tokens", { json });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("returns the secret once, in the withering-token format, with 200", async () => {
    const { status, body } = await create({ project_id: projectId, duration_minutes: 60, max_requests: 5 });
    expect(status).toBe(200);
    expect(body.token).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
    expect(body.max_requests).toBe(5);
    expect(Date.parse(String(body.expires_at)) - Date.now()).toBeGreaterThan(59 * 60_000);
    const list = await (await s.manage(`/manage/tokens?projectId=${projectId}`)).text();
    expect(list).not.toContain(String(body.token));
    expect(list).toContain(`sk-${String(body.token).slice(3, 7)}`);
  });

  it.each([
    [{ project_id: "p", duration_minutes: 0 }, 400, "project_id and duration_minutes are required"],
    [{ project_id: "p", duration_minutes: -5 }, 400, "project_id and duration_minutes are required"],
    [{ project_id: "p", duration_minutes: 525601 }, 400, "duration_minutes exceeds maximum allowed"],
    [{ duration_minutes: 10 }, 400, "project_id is required"],
    [{ project_id: "p", duration_minutes: 10, max_requests: -1 }, 400, "max_requests must be >= 0"],
    [{ project_id: "nope", duration_minutes: 10 }, 404, "project not found"],
    [{ project_id: "p", duration_minutes: "10" }, 400, "duration_minutes must be a number"],
    [{ project_id: "p", duration_minutes: 1.5 }, 400, "duration_minutes must be a whole number"],
  ])("rejects %j with %i", async (json, status, error) => {
    const res = await create(json);
    expect(res).toEqual({ status, body: { error } });
  });

  it("ignores unknown fields, as the original does, and never stores them; a wrong type is still a 400", async () => {
    const chosen = "sk-AAAAAAAAAAAAAAAAAAAAAA";
    const extra = { id: "00000000-0000-4000-8000-000000000001", token: chosen, request_count: 99, is_active: false, cache_hit_count: 5, note: "x" };
    const { status, body } = await create({ ...extra, project_id: projectId, duration_minutes: 10 });
    expect(status).toBe(200);
    expect(body.id).not.toBe(extra.id);
    expect(body.token).not.toBe(chosen);
    expect(body).not.toHaveProperty("note");
    const got = (await (await s.manage(`/manage/tokens/${String(body.id)}`)).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ is_active: true, request_count: 0, cache_hit_count: 0 });
    expect(got).not.toHaveProperty("note");
    const onlyUnknown = await s.manage(`/manage/tokens/${String(body.id)}`, { method: "PATCH", json: { request_count: 0, project_id: "other" } });
    expect([onlyUnknown.status, await onlyUnknown.json()]).toEqual([400, { error: "no fields to update" }]);
    const patched = await s.manage(`/manage/tokens/${String(body.id)}`, { method: "PATCH", json: { max_requests: 3, request_count: 1000 } });
    expect(await patched.json()).toMatchObject({ max_requests: 3, request_count: 0, project_id: projectId });
    const wrong = await s.manage(`/manage/tokens/${String(body.id)}`, { method: "PATCH", json: { max_requests: "3", extra: true } });
    expect([wrong.status, await wrong.json()]).toEqual([400, { error: "max_requests must be a number" }]);
  });

  it("answers the original's 400 when the token or audit event id is empty", async () => {
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const res = await s.manage("/manage/tokens/", { method, ...(method === "PATCH" ? { json: { is_active: false } } : {}) });
      expect([method, res.status, await res.json()]).toEqual([method, 400, { error: "token ID is required" }]);
    }
    const audit = await s.manage("/manage/audit/");
    expect([audit.status, await audit.json()]).toEqual([400, { error: "audit event ID is required" }]);
    const post = await s.manage("/manage/tokens/", { method: "POST", json: {} });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, PATCH, DELETE"]);
  });

  it("omits max_requests for unlimited tokens and stores 0 as null", async () => {
    const { body } = await create({ project_id: projectId, duration_minutes: 10, max_requests: 0 });
    expect(body).not.toHaveProperty("max_requests");
    const got = (await (await s.manage(`/manage/tokens/${String(body.id)}`)).json()) as Record<string, unknown>;
    expect(got.max_requests).toBeNull();
    expect(got).toMatchObject({ is_active: true, request_count: 0, cache_hit_count: 0, project_id: projectId });
  });

  it("patches, revokes idempotently and reactivates keeping the limit", async () => {
    const { body } = await create({ project_id: projectId, duration_minutes: 10, max_requests: 7 });
    const id = String(body.id);
    const noFields = await s.manage(`/manage/tokens/${id}`, { method: "PATCH", json: {} });
    expect(await noFields.json()).toEqual({ error: "no fields to update" });
    expect((await s.manage(`/manage/tokens/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await s.manage(`/manage/tokens/${id}`, { method: "DELETE" })).status).toBe(204);
    const revoked = (await (await s.manage(`/manage/tokens/${id}`)).json()) as Record<string, unknown>;
    expect(revoked.is_active).toBe(false);
    expect(revoked.deactivated_at).toEqual(expect.any(String));
    const back = await s.manage(`/manage/tokens/${id}`, { method: "PATCH", json: { is_active: true } });
    expect(await back.json()).toMatchObject({ is_active: true, max_requests: 7, deactivated_at: null });
    const unlimited = await s.manage(`/manage/tokens/${id}`, { method: "PATCH", json: { max_requests: 0 } });
    expect(await unlimited.json()).toMatchObject({ max_requests: null });
  });

  it("answers 404 for unknown and malformed token ids", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "%27%20OR%201%3D1"]) {
      const res = await s.manage(`/manage/tokens/${id}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "token not found" });
    }
  });

  it("refuses tokens for inactive projects with 403 project_inactive, and bulk revoke counts", async () => {
    const p = (await (await s.manage("/manage/projects", { json: { name: "bulk", api_key: "key-bulk-0123456789" } })).json()) as {
      id: string;
    };
    for (let i = 0; i < 3; i++) await create({ project_id: p.id, duration_minutes: 10 });
    const first = await s.manage(`/manage/projects/${p.id}/tokens/revoke`, { method: "POST" });
    expect(await first.json()).toEqual({ revoked_count: 3, already_revoked_count: 0, total_tokens: 3 });
    await create({ project_id: p.id, duration_minutes: 10 });
    const patch = await s.manage(`/manage/projects/${p.id}`, { method: "PATCH", json: { is_active: false, revoke_tokens: true } });
    expect(await patch.json()).toMatchObject({ is_active: false, deactivated_at: expect.any(String) });
    const tokens = (await (await s.manage(`/manage/tokens?projectId=${p.id}`)).json()) as { is_active: boolean }[];
    expect(tokens.filter((t) => t.is_active)).toHaveLength(0);
    expect(await create({ project_id: p.id, duration_minutes: 10 })).toEqual({
      status: 403,
      body: { error: "cannot create tokens for inactive projects", code: "project_inactive" },
    });
    const bad = await s.manage(`/manage/projects/${p.id}`, { method: "PATCH", json: { revoke_tokens: true } });
    expect(await bad.json()).toEqual({ error: "revoke_tokens requires is_active=false" });
  });

  it("filters the token list by project_id as well as projectId, and in the OpenAPI document", async () => {
    const other = (await (await s.manage("/manage/projects", { json: { name: "filter-other", api_key: "key-filter-0123456789" } })).json()) as { id: string };
    const mine = (await create({ project_id: other.id, duration_minutes: 10 })).body.id;
    for (const q of [`project_id=${other.id}`, `projectId=${other.id}`]) {
      const rows = (await (await s.manage(`/manage/tokens?${q}`)).json()) as { id: string; project_id: string }[];
      expect(rows.map((r) => r.id)).toEqual([mine]);
    }
    const clash = await s.manage(`/manage/tokens?project_id=${other.id}&projectId=${projectId}`);
    expect(clash.status).toBe(400);
    expect(await clash.json()).toEqual({ error: "project_id and projectId differ; give one" });
    const doc = (await (await s.manage("/manage/openapi.json")).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    expect(doc.paths["/manage/tokens"]?.get?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(["project_id", "projectId"]));
  });
});
