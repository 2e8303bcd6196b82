import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrl } from "../../../../test/services.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream.js";
import { raw, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";

const redis = redisUrl();

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 50) {
    if (waited > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!redis)("change fan-out on Redis pub/sub carries no token secret (issue 12.7)", () => {
  const prefix = `test-pubsub-${randomBytes(4).toString("hex")}:`;
  const messages: string[] = [];
  let listener: Redis;
  let fake: FakeUpstream;
  let s: Stack;
  beforeAll(async () => {
    listener = new Redis(redis as string);
    listener.on("pmessage", (_pattern: string, _channel: string, text: string) => messages.push(text));
    await listener.psubscribe(`${prefix}*`);
    fake = await startFakeUpstream();
    // No ENCRYPTION_KEY: the stored lookup key is the secret itself.
    s = await startStack("embedded", { OPENAI_API_URL: fake.url, REDIS_URL: redis as string, REDIS_KEY_PREFIX: prefix, REDIS_STREAM_KEY: `${prefix}events` });
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
    listener?.disconnect();
  });

  it("publishes token ids for PATCH, revoke and project-wide revokes, never the secret", async () => {
    const a = await seedToken(s);
    const b = await seedToken(s);
    const c = await seedToken(s);
    expect((await raw(s, "/v1/chat/completions", { token: a.secret, json: { model: "gpt-4o-mini", messages: [] } })).status).toBe(200);
    expect((await s.manage(`/manage/tokens/${a.tokenId}`, { method: "PATCH", json: { max_requests: 50 } })).status).toBe(200);
    expect((await s.manage(`/manage/tokens/${a.tokenId}`, { method: "PATCH", json: { is_active: false } })).status).toBe(200);
    expect((await s.manage(`/manage/tokens/${b.tokenId}`, { method: "DELETE" })).status).toBe(204);
    expect((await s.manage(`/manage/projects/${c.projectId}/tokens/revoke`, { method: "POST" })).status).toBe(200);
    // Two PATCHes, one revoke, one project-wide revoke.
    await until(() => messages.length >= 4);
    for (const m of messages) {
      for (const t of [a, b, c]) {
        expect(m).not.toContain(t.secret);
        expect(m).not.toContain(t.secret.slice(3));
      }
    }
    for (const id of [a.tokenId, b.tokenId, c.tokenId]) expect(messages.some((m) => m.includes(id))).toBe(true);
  });

  it("still makes the revoking instance refuse the token at once", async () => {
    const t = await seedToken(s);
    expect((await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } })).status).toBe(200);
    expect((await s.manage(`/manage/tokens/${t.tokenId}`, { method: "PATCH", json: { is_active: false } })).status).toBe(200);
    expect((await raw(s, "/v1/chat/completions", { token: t.secret, json: { model: "gpt-4o-mini", messages: [] } })).status).toBe(401);
  });
});
