import { Writable } from "node:stream";
import { pino } from "pino";
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

  it("keeps X-Correlation-ID its own id: generated apart from X-Request-ID, echoed alone, in the audit row", async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const none = await s.manage("/manage/projects");
    const [rid, cid] = [none.headers.get("x-request-id"), none.headers.get("x-correlation-id")];
    expect([rid, cid]).toEqual([expect.stringMatching(uuid), expect.stringMatching(uuid)]);
    expect(cid).not.toBe(rid);
    const given = await s.manage("/manage/projects", { headers: { "x-request-id": "req-only-42" } });
    expect(given.headers.get("x-request-id")).toBe("req-only-42");
    expect(given.headers.get("x-correlation-id")).toMatch(uuid);
    const corr = await s.manage("/manage/projects", { headers: { "x-correlation-id": "journey-7" } });
    expect(corr.headers.get("x-correlation-id")).toBe("journey-7");
    expect(corr.headers.get("x-request-id")).toMatch(uuid);
    const rows = (await (await s.manage(`/manage/audit?correlation_id=journey-7`)).json()) as { events: { request_id: string; action: string }[] };
    expect(rows.events).toEqual([expect.objectContaining({ action: "project.list", request_id: corr.headers.get("x-request-id") })]);
    const byGenerated = (await (await s.manage(`/manage/audit?correlation_id=${cid}`)).json()) as { events: { request_id: string }[] };
    expect(byGenerated.events.map((e) => e.request_id)).toEqual([rid]);
  });

  it.each([
    ["PUT", "/manage/projects", "GET, POST"],
    ["DELETE", "/manage/projects", "GET, POST"],
    ["POST", "/manage/projects/p1", "GET, PATCH"],
    ["PUT", "/manage/projects/p1", "GET, PATCH"],
    ["GET", "/manage/projects/p1/tokens/revoke", "POST"],
    ["PATCH", "/manage/tokens", "GET, POST"],
    ["PUT", "/manage/tokens/t1", "GET, PATCH, DELETE"],
    ["POST", "/manage/audit", "GET"],
    ["DELETE", "/manage/audit/a1", "GET"],
    ["GET", "/manage/cache/purge", "POST"],
    ["HEAD", "/manage/cache/purge", "POST"],
    ["POST", "/manage/usage", "GET"],
    ["POST", "/manage/openapi.json", "GET"],
  ])("answers %s %s with 405 and Allow: %s", async (method, path, allow) => {
    const res = await s.manage(path, { method });
    expect([res.status, res.headers.get("allow")]).toEqual([405, allow]);
    if (method !== "HEAD") expect(await res.json()).toEqual({ error: "method not allowed" });
  });

  it("checks the management token before the method, answers OPTIONS with Allow, and HEAD as GET", async () => {
    const anon = await fetch(`${s.apiUrl}/manage/projects`, { method: "PUT" });
    expect(anon.status).toBe(401);
    const options = await s.manage("/manage/tokens/t1", { method: "OPTIONS" });
    expect([options.status, options.headers.get("allow"), await options.text()]).toEqual([204, "GET, PATCH, DELETE", ""]);
    const head = await s.manage("/manage/projects", { method: "HEAD" });
    expect([head.status, head.headers.get("content-type"), await head.text()]).toEqual([200, expect.stringMatching(/application\/json/), ""]);
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

describe("management access log", () => {
  const lines: Record<string, unknown>[] = [];
  let s: Stack;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    s = await startStack("embedded", {}, pino({ level: "info" }, sink));
  });
  afterAll(() => s?.close());

  it("logs each management call once with both ids, as the original's canonical fields", async () => {
    const res = await s.manage("/manage/tokens/", { headers: { "x-correlation-id": "journey-log-1" } });
    expect(res.status).toBe(400);
    await expect.poll(() => lines.filter((l) => l.correlation_id === "journey-log-1")).toEqual([
      expect.objectContaining({
        msg: "request completed",
        request_id: res.headers.get("x-request-id"),
        method: "GET",
        path: "/manage/tokens/",
        status_code: 400,
        duration_ms: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(TEST_MANAGEMENT_TOKEN);
  });
});
