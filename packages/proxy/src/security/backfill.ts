import type { Sql } from "../storage/db.js";
import { assertKeyFitsData, recordKeyFingerprint } from "./key-check.js";
import { isSealed, isTokenHash, type Secrets } from "./secrets.js";

export interface EncryptionStatus {
  projects: { encrypted: number; plaintext: number };
  tokens: { hashed: number; plaintext: number };
}

export async function encryptionStatus(sql: Sql): Promise<EncryptionStatus> {
  const projects = await sql<{ api_key: string }[]>`SELECT api_key FROM projects`;
  const tokens = await sql<{ token: string }[]>`SELECT token FROM tokens`;
  const sealed = projects.filter((p) => isSealed(p.api_key)).length;
  const hashed = tokens.filter((t) => isTokenHash(t.token)).length;
  return {
    projects: { encrypted: sealed, plaintext: projects.length - sealed },
    tokens: { hashed, plaintext: tokens.length - hashed },
  };
}

/**
 * Seals plaintext upstream keys and hashes plaintext token secrets, in one transaction, and
 * records the key's fingerprint. Idempotent; refused under a key other than the data's.
 */
export async function encryptExisting(sql: Sql, secrets: Secrets): Promise<{ projects: number; tokens: number }> {
  if (!secrets.enabled) throw new Error("ENCRYPTION_KEY is not set: nothing to encrypt with");
  return (await sql.begin(async (tx) => {
    await assertKeyFitsData(tx, secrets);
    const projects = await tx<{ id: string; api_key: string }[]>`SELECT id, api_key FROM projects FOR UPDATE`;
    let p = 0;
    for (const row of projects) {
      if (isSealed(row.api_key) || row.api_key === "") continue;
      await tx`UPDATE projects SET api_key = ${secrets.sealApiKey(row.api_key)} WHERE id = ${row.id}`;
      p++;
    }
    const tokens = await tx<{ id: string; token: string }[]>`SELECT id, token FROM tokens FOR UPDATE`;
    let t = 0;
    for (const row of tokens) {
      if (isTokenHash(row.token)) continue;
      await tx`UPDATE tokens SET token = ${secrets.tokenLookupKey(row.token)} WHERE id = ${row.id}`;
      t++;
    }
    await recordKeyFingerprint(tx, secrets);
    return { projects: p, tokens: t };
  })) as { projects: number; tokens: number };
}
