import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptExisting, encryptionStatus } from "../src/security/backfill.js";
import { createSecrets } from "../src/security/secrets.js";
import { startStack, storageKinds, type Stack } from "./harness.js";

const KEY = randomBytes(32);

describe.each(storageKinds())("encryption at rest on %s storage", (kind) => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack(kind, { ENCRYPTION_KEY: KEY.toString("base64") });
  });
  afterAll(() => s?.close());

  it("stores enc:v1 keys and SHA-256 token hashes, and still reads them back", async () => {
    const p = (await (await s.manage("/manage/projects", { json: { name: "sealed", api_key: "sk-real-upstream-key-1234" } })).json()) as {
      id: string;
      api_key: string;
    };
    expect(p.api_key).toBe("sk-real-...1234");
    const t = (await (await s.manage("/manage/tokens", { json: { project_id: p.id, duration_minutes: 5 } })).json()) as {
      id: string;
      token: string;
    };
    const [project] = await s.db.sql<{ api_key: string }[]>`SELECT api_key FROM projects WHERE id = ${p.id}`;
    const [token] = await s.db.sql<{ token: string }[]>`SELECT token FROM tokens WHERE id = ${t.id}`;
    expect(project?.api_key).toMatch(/^enc:v1:[A-Za-z0-9+/=]+$/);
    expect(project?.api_key).not.toContain("sk-real");
    expect(createSecrets(KEY).openApiKey(project?.api_key ?? "")).toBe("sk-real-upstream-key-1234");
    expect(token?.token).toMatch(/^[0-9a-f]{64}$/);
    expect(token?.token).toBe(createSecrets(KEY).tokenLookupKey(t.token));
  });

  it("encrypts existing plaintext rows with migrate encrypt, idempotently", async () => {
    await s.db.sql`INSERT INTO projects (id, name, api_key) VALUES ('legacy', 'legacy', 'sk-legacy-plaintext-key')`;
    await s.db.sql`INSERT INTO tokens (id, token, project_id) VALUES ('00000000-0000-7000-8000-000000000001', 'sk-AAAAAAAAAAAAAAAAAAAAAA', 'legacy')`;
    expect(await encryptionStatus(s.db.sql)).toEqual({ projects: { encrypted: 1, plaintext: 1 }, tokens: { hashed: 1, plaintext: 1 } });
    expect(await encryptExisting(s.db.sql, createSecrets(KEY))).toEqual({ projects: 1, tokens: 1 });
    expect(await encryptExisting(s.db.sql, createSecrets(KEY))).toEqual({ projects: 0, tokens: 0 });
    expect(await encryptionStatus(s.db.sql)).toEqual({ projects: { encrypted: 2, plaintext: 0 }, tokens: { hashed: 2, plaintext: 0 } });
    const legacy = (await (await s.manage("/manage/projects/legacy")).json()) as { api_key: string };
    expect(legacy.api_key).toBe("sk-legac...-key");
  });
});
