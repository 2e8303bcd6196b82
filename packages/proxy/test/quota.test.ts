import { describe, expect, it } from "vitest";
import { gatewaySuite, raw, seedToken } from "./gateway-helpers.js";
import { storageKinds } from "./harness.js";

describe.each(storageKinds())("exact max_requests on %s storage", (kind) => {
  const g = gatewaySuite({}, kind);

  it("lets exactly N of 50 concurrent requests through a token with max_requests N", async () => {
    const t = await seedToken(g.s, { maxRequests: 7 });
    // POST: not cacheable without the client's opt-in, so every request reaches the quota.
    const results = await Promise.all(Array.from({ length: 50 }, () => raw(g.s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((st) => st === 200)).toHaveLength(7);
    expect(statuses.filter((st) => st === 429)).toHaveLength(43);
    const row = (await (await g.s.manage(`/manage/tokens/${t.tokenId}`)).json()) as { request_count: number };
    expect(row.request_count).toBe(7);
    expect(g.fake.seen.filter((r) => r.headers.authorization === `Bearer ${t.apiKey}`)).toHaveLength(7);
  });

  it("applies a revoke at once on this instance, even for a cached token", async () => {
    const t = await seedToken(g.s);
    expect((await raw(g.s, "/v1/models", { token: t.secret })).status).toBe(200);
    await g.s.manage(`/manage/tokens/${t.tokenId}`, { method: "DELETE" });
    expect((await raw(g.s, "/v1/models", { token: t.secret })).body).toMatchObject({ code: "token_inactive" });
    await g.s.manage(`/manage/tokens/${t.tokenId}`, { method: "PATCH", json: { is_active: true } });
    expect((await raw(g.s, "/v1/models", { token: t.secret })).status).toBe(200);
    await g.s.manage(`/manage/projects/${t.projectId}`, { method: "PATCH", json: { is_active: false } });
    expect((await raw(g.s, "/v1/models", { token: t.secret })).body).toMatchObject({ code: "project_inactive" });
  });
});
