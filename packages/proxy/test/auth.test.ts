import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, TEST_MANAGEMENT_TOKEN, type Stack } from "./harness.js";

describe("management auth and request hygiene", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack("embedded", { MANAGEMENT_MAX_BODY_BYTES: "2048" });
  });
  afterAll(() => s?.close());

  it.each([
    [undefined, "missing or invalid Authorization header"],
    ["Basic abc", "missing or invalid Authorization header"],
    ["Bearer", "missing or invalid Authorization header"],
    ["Bearer wrong-token", "invalid management token"],
    ["Bearer " + TEST_MANAGEMENT_TOKEN + "x", "invalid management token"],
  ])("answers 401 for Authorization %s and audits it without the value", async (header, error) => {
    const res = await fetch(`${s.apiUrl}/manage/projects`, { headers: header ? { authorization: header } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error });
    const audit = await (await s.manage(`/manage/audit?action=management.auth&search=${encodeURIComponent(error)}`)).text();
    expect(audit).toContain('"outcome":"denied"');
    expect(audit).not.toContain("wrong-token");
  });

  it("accepts the right token and echoes request and correlation ids", async () => {
    const res = await s.manage("/manage/projects", { headers: { "x-request-id": "req-123", "x-correlation-id": "corr-9" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-123");
    expect(res.headers.get("x-correlation-id")).toBe("corr-9");
    const fresh = await s.manage("/manage/projects", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers oversized bodies with 413 and unknown routes with JSON 404", async () => {
    const big = await s.manage("/manage/projects", { json: { name: "x".repeat(5000), api_key: "k" } });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: "request body exceeds 2048 bytes" });
    const missing = await s.manage("/manage/nothing-here");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not found" });
  });

  it("serves an OpenAPI document covering every management route", async () => {
    const doc = (await (await fetch(`${s.apiUrl}/manage/openapi.json`)).json()) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/manage/projects", "/manage/projects/{id}", "/manage/tokens/{id}", "/manage/audit", "/manage/usage"]),
    );
    expect(Object.keys(doc.paths["/manage/tokens"] ?? {})).toEqual(["get", "post"]);
  });

  it("reports health, readiness and liveness", async () => {
    const health = await fetch(`${s.apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", checks: { database: { status: "up" } } });
    expect(await (await fetch(`${s.apiUrl}/ready`)).text()).toBe("ready");
    expect(await (await fetch(`${s.apiUrl}/live`)).text()).toBe("alive");
  });
});
