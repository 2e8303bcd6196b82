import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecrets, sha256Hex } from "../../security/secrets.js";
import { BCRYPT_TOKEN, mapAudit, mapProject, mapToken } from "./mapping.js";
import { recogniseOriginal, type SourceColumns } from "./original-schema.js";
import { derivedTokenId, readBoolean, readTimestamp } from "./values.js";

const plain = createSecrets(undefined);
const keyed = createSecrets(randomBytes(32));
const secret = "sk-AAAAAAAAAAAAAAAAAAAAAA";
const token = (over: Record<string, unknown> = {}) => ({
  id: "0b5c6f0e-9a53-4a0c-8d2e-2f0b8f1f4d11",
  token: secret,
  project_id: "p1",
  expires_at: "2026-03-01 10:00:00.123456789+00:00",
  is_active: 1,
  deactivated_at: null,
  request_count: 4,
  max_requests: 0,
  created_at: "2026-02-01 09:00:00",
  last_used_at: null,
  cache_hit_count: 2,
  ...over,
});

describe("values as the original stored them", () => {
  it("reads go-sqlite3 times, CURRENT_TIMESTAMP, PostgreSQL text and offsets as UTC", () => {
    expect(readTimestamp("2026-03-01 10:00:00.123456789+00:00", "t")?.toISOString()).toBe("2026-03-01T10:00:00.123Z");
    expect(readTimestamp("2026-03-01 10:00:00", "t")?.toISOString()).toBe("2026-03-01T10:00:00.000Z");
    expect(readTimestamp("2026-03-01T10:00:00.5Z", "t")?.toISOString()).toBe("2026-03-01T10:00:00.500Z");
    expect(readTimestamp("2026-03-01 12:00:00+02:00", "t")?.toISOString()).toBe("2026-03-01T10:00:00.000Z");
    expect(readTimestamp(1772359200, "t")?.toISOString()).toBe("2026-03-01T10:00:00.000Z");
    expect(readTimestamp(null, "t")).toBeNull();
    expect(() => readTimestamp("yesterday", "expires_at")).toThrow('expires_at "yesterday" is not a timestamp');
  });

  it("reads SQLite's 0/1 and PostgreSQL's booleans", () => {
    expect([1, 0, true, false, "t", "f", "1"].map((v) => readBoolean(v, "b"))).toEqual([true, false, true, false, true, false, true]);
    expect(() => readBoolean("yes", "is_active")).toThrow('is_active "yes" is not a boolean');
  });

  it("derives the same UUID for the same token, a different one for another", () => {
    expect(derivedTokenId("a")).toBe(derivedTokenId("a"));
    expect(derivedTokenId("a")).not.toBe(derivedTokenId("b"));
    expect(derivedTokenId("a")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("token mapping", () => {
  it("keeps id, state, counts and expiry; 0 max_requests is unlimited", () => {
    const m = mapToken(token(), plain);
    expect(m).toEqual({
      ok: true,
      row: {
        id: "0b5c6f0e-9a53-4a0c-8d2e-2f0b8f1f4d11",
        token: secret,
        project_id: "p1",
        expires_at: new Date("2026-03-01T10:00:00.123Z"),
        is_active: true,
        deactivated_at: null,
        request_count: 4,
        max_requests: null,
        created_at: new Date("2026-02-01T09:00:00Z"),
        last_used_at: null,
        cache_hit_count: 2,
      },
    });
    expect(mapToken(token({ max_requests: 10 }), plain)).toMatchObject({ row: { max_requests: 10 } });
  });

  it("hashes a plaintext token under a key and keeps a SHA-256 one as it is", () => {
    expect(mapToken(token(), keyed)).toMatchObject({ ok: true, changed: "hashed", row: { token: sha256Hex(secret) } });
    const stored = sha256Hex(secret);
    expect(mapToken(token({ token: stored }), keyed)).toEqual(expect.objectContaining({ ok: true, row: expect.objectContaining({ token: stored }) }));
    expect(mapToken(token({ token: stored }), plain)).toMatchObject({ ok: false, reason: /ENCRYPTION_KEY/ });
  });

  it("names what it cannot carry: bcrypt tokens, bad ids, unreadable values", () => {
    expect(mapToken(token({ token: "hash:v1:$2a$10$x" }), keyed)).toEqual({ ok: false, id: "0b5c6f0e-9a53-4a0c-8d2e-2f0b8f1f4d11", reason: BCRYPT_TOKEN });
    expect(mapToken(token({ id: "tok-1" }), plain)).toEqual({ ok: false, id: "tok-1", reason: "its id is not a UUID" });
    expect(mapToken(token({ created_at: "soon" }), plain)).toMatchObject({ ok: false, reason: 'created_at "soon" is not a timestamp' });
  });

  it("gives a token without an id (before migration 00004) a derived one", () => {
    expect(mapToken(token({ id: null }), plain)).toMatchObject({ ok: true, changed: "derived-id", row: { id: derivedTokenId(secret) } });
  });
});

describe("project and audit mapping", () => {
  const project = { id: "p1", name: "n", api_key: "sk-up", is_active: 0, deactivated_at: "2026-02-01 09:00:00", created_at: "2026-01-01 00:00:00", updated_at: null };

  it("seals a plaintext upstream key under a key, keeps an enc:v1: one", () => {
    const m = mapProject(project, keyed);
    expect(m).toMatchObject({ ok: true, changed: "sealed", row: { is_active: false, updated_at: new Date("2026-01-01T00:00:00Z") } });
    const sealed = m.ok ? m.row.api_key : "";
    expect(keyed.openApiKey(sealed)).toBe("sk-up");
    expect(mapProject({ ...project, api_key: sealed }, keyed)).toMatchObject({ row: { api_key: sealed } });
    expect(mapProject(project, plain)).toMatchObject({ row: { api_key: "sk-up" } });
  });

  it("carries audit columns; metadata JSON becomes an object; an unknown outcome is named", () => {
    const event = { id: "a1", timestamp: "2026-01-01 00:00:00", action: "token.create", actor: "management_api", outcome: "success", metadata: '{"k":1}' };
    expect(mapAudit(event)).toMatchObject({ ok: true, row: { metadata: { k: 1 }, project_id: null } });
    expect(mapAudit({ ...event, metadata: "[1]" })).toMatchObject({ changed: "metadata-wrapped", row: { metadata: { original_metadata: "[1]" } } });
    expect(mapAudit({ ...event, outcome: "maybe" })).toMatchObject({ ok: false, id: "a1", reason: /outcome "maybe"/ });
  });
});

describe("recognising the original's schema", () => {
  const cols = (t: Record<string, string>): SourceColumns => new Map(Object.entries(t).map(([k, v]) => [k, new Set(v.split(" "))]));
  const final = {
    projects: "id name api_key is_active deactivated_at created_at updated_at",
    tokens: "id token project_id expires_at is_active deactivated_at request_count max_requests created_at last_used_at cache_hit_count",
  };

  it("accepts the final and earlier states", () => {
    expect(recogniseOriginal(cols(final), "db")).toEqual({ apiKeyColumn: "api_key", tokenIds: true, deactivation: true, cacheHits: true, audit: false });
    const early = { projects: "id name openai_api_key is_active created_at updated_at", tokens: "token project_id expires_at is_active request_count max_requests created_at last_used_at" };
    expect(recogniseOriginal(cols(early), "db")).toEqual({ apiKeyColumn: "openai_api_key", tokenIds: false, deactivation: false, cacheHits: false, audit: false });
  });

  it("refuses other schemas and this proxy's own database, saying why", () => {
    expect(() => recogniseOriginal(cols({ projects: "id" }), "x.db")).toThrow("x.db does not hold the Go llm-proxy's schema: it has no tokens table");
    expect(() => recogniseOriginal(cols({ ...final, projects: "id name" }), "x.db")).toThrow(/missing projects.is_active, .*projects.api_key/);
    expect(() => recogniseOriginal(cols({ ...final, schema_migrations: "version", tokens: `${final.tokens} prompt_tokens` }), "x")).toThrow(/already an llm-proxy \(TypeScript\) database/);
  });
});
