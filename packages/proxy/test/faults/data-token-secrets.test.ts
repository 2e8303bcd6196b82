import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { insertToken } from "../../src/tokens/store.js";
import { gatewaySuite, raw, seedToken } from "../gateway-helpers.js";
import { storageKinds } from "../harness.js";

const bytesOf = (secret: string) => Buffer.from(secret.slice(3), "base64url");

describe.each(storageKinds())("token secrets on %s storage (issue 12.13)", (kind) => {
  const g = gatewaySuite({}, kind);

  const chat = (secret: string) => raw(g.s, "/v1/chat/completions", { token: secret, json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] } });

  it("creates sk- + 22 base64url secrets of 128 random bits that carry no creation time", async () => {
    const t = await seedToken(g.s);
    const secrets = [t.secret];
    for (let i = 0; i < 24; i++) {
      const res = await g.s.manage("/manage/tokens", { json: { project_id: t.projectId, duration_minutes: 5 } });
      secrets.push(((await res.json()) as { token: string }).token);
    }
    for (const secret of secrets) {
      expect(secret).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
      expect(bytesOf(secret)).toHaveLength(16);
    }
    // A UUIDv7 has its first 48 bits = the creation time in ms, version nibble 7 and variant 10.
    const now = Date.now();
    const timestamped = secrets.filter((x) => Math.abs(bytesOf(x).readUIntBE(0, 6) - now) < 3_600_000);
    const v7Shaped = secrets.filter((x) => (bytesOf(x)[6] ?? 0) >> 4 === 7 && (bytesOf(x)[8] ?? 0) >> 6 === 2);
    expect(timestamped).toHaveLength(0);
    expect(v7Shaped.length).toBeLessThan(secrets.length);
    expect(new Set(secrets).size).toBe(secrets.length);
    expect((await chat(t.secret)).status).toBe(200);
  });

  it("still accepts a token in the original UUIDv7 form", async () => {
    const t = await seedToken(g.s);
    // The original's secret: a UUIDv7 (48-bit ms timestamp, version 7, RFC 4122 variant) in base64url.
    const bytes = randomBytes(16);
    bytes.writeUIntBE(Date.now(), 0, 6);
    bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const old = "sk-" + bytes.toString("base64url");
    const id = randomUUID();
    await insertToken(g.s.db.sql, {
      id,
      token: g.s.domain.secrets.tokenLookupKey(old),
      project_id: t.projectId,
      expires_at: new Date(Date.now() + 600_000),
      max_requests: null,
      rate_limit_rpm: null,
    });
    const res = await chat(old);
    expect(res.status).toBe(200);
    expect(g.fake.seen.at(-1)?.headers.authorization).toBe(`Bearer ${t.apiKey}`);
  });
});
