import { ConfigError } from "@llm-proxy/config";
import type { Tx } from "../storage/db.js";
import type { Secrets } from "./secrets.js";

const SETTING = "encryption_key_fingerprint";

/** The data and the configured ENCRYPTION_KEY do not belong together; the message says what to do. */
export class EncryptionKeyError extends ConfigError {
  override name = "EncryptionKeyError";
}

interface DataState {
  sealedKeys: number;
  plainKeys: number;
  hashedTokens: number;
  plainTokens: number;
  sampleSealed: string | undefined;
  fingerprint: string | undefined;
}

async function dataState(sql: Tx): Promise<DataState> {
  const [p] = await sql<{ sealed: number; plain: number; sample: string | null }[]>`
    SELECT count(*) FILTER (WHERE api_key LIKE 'enc:v1:%')::int AS sealed,
           count(*) FILTER (WHERE api_key <> '' AND api_key NOT LIKE 'enc:v1:%')::int AS plain,
           min(api_key) FILTER (WHERE api_key LIKE 'enc:v1:%') AS sample
    FROM projects
  `;
  const [t] = await sql<{ hashed: number; plain: number }[]>`
    SELECT count(*) FILTER (WHERE token ~ '^[0-9a-f]{64}$')::int AS hashed,
           count(*) FILTER (WHERE token !~ '^[0-9a-f]{64}$')::int AS plain
    FROM tokens
  `;
  const [f] = await sql<{ value: string }[]>`SELECT value FROM settings WHERE name = ${SETTING}`;
  return {
    sealedKeys: p?.sealed ?? 0,
    plainKeys: p?.plain ?? 0,
    hashedTokens: t?.hashed ?? 0,
    plainTokens: t?.plain ?? 0,
    sampleSealed: p?.sample ?? undefined,
    fingerprint: f?.value,
  };
}

function opens(secrets: Secrets, sealed: string): boolean {
  try {
    secrets.openApiKey(sealed);
    return true;
  } catch {
    return false;
  }
}

const WRONG_KEY =
  "ENCRYPTION_KEY: this data was encrypted with a different key. Set ENCRYPTION_KEY back to the key it was " +
  "encrypted with (see your .env or secret store); changing the key of existing data is not supported.";

/**
 * Refuses a key other than the one the stored secrets were encrypted with: by the recorded
 * fingerprint, or for data encrypted before fingerprints were recorded, by opening one sealed key.
 */
function assertSameKey(secrets: Secrets, s: DataState): void {
  if (s.sealedKeys + s.hashedTokens === 0) return;
  const differs = s.fingerprint !== undefined ? s.fingerprint !== secrets.fingerprint : s.sampleSealed !== undefined && !opens(secrets, s.sampleSealed);
  if (differs) {
    throw new EncryptionKeyError(WRONG_KEY);
  }
}

/** Records (or replaces, when nothing is encrypted under the old one) the key's fingerprint. */
export async function recordKeyFingerprint(sql: Tx, secrets: Secrets): Promise<void> {
  if (secrets.fingerprint === undefined) return;
  await sql`
    INSERT INTO settings (name, value) VALUES (${SETTING}, ${secrets.fingerprint})
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
    WHERE settings.value <> EXCLUDED.value
  `;
}

/** For `migrate encrypt`: the backfill must seal with the key the data already uses. */
export async function assertKeyFitsData(sql: Tx, secrets: Secrets): Promise<void> {
  assertSameKey(secrets, await dataState(sql));
}

/**
 * At start: the stored secrets and ENCRYPTION_KEY must match, or the server would answer 401
 * for every token and 500 for every upstream key. Encrypted data needs its key; plaintext data
 * under a new key needs `migrate encrypt` first (an operator's one-way step, not a start-up's).
 */
export async function checkEncryptionKey(sql: Tx, secrets: Secrets): Promise<void> {
  // The common start: this key's fingerprint is on record, so the data was checked (or encrypted)
  // under it, and a start without a key removes the record before it could write plaintext.
  // Skips counting every token row at each start.
  const [recorded] = await sql<{ value: string }[]>`SELECT value FROM settings WHERE name = ${SETTING}`;
  if (secrets.enabled && recorded?.value === secrets.fingerprint) return;
  const s = await dataState(sql);
  if (!secrets.enabled) {
    if (s.sealedKeys + s.hashedTokens > 0) {
      throw new EncryptionKeyError(
        `ENCRYPTION_KEY: not set, but this data is encrypted (${s.sealedKeys} sealed upstream keys, ${s.hashedTokens} hashed tokens). ` +
          "Set ENCRYPTION_KEY to the key it was encrypted with (see your .env or secret store); without it no stored token or upstream key works.",
      );
    }
    // Nothing encrypted: plaintext is written from now on, so no key may skip the check later.
    if (s.fingerprint !== undefined) await sql`DELETE FROM settings WHERE name = ${SETTING}`;
    return;
  }
  assertSameKey(secrets, s);
  if (s.plainKeys + s.plainTokens > 0) {
    throw new EncryptionKeyError(
      `ENCRYPTION_KEY: set, but this data holds ${s.plainKeys} plaintext upstream keys and ${s.plainTokens} plaintext tokens ` +
        "stored before it was set, which would stop working. With the server stopped, run `npm run migrate -- encrypt` " +
        "with this ENCRYPTION_KEY to encrypt them in place (tokens keep working), then start again; or unset ENCRYPTION_KEY.",
    );
  }
  await recordKeyFingerprint(sql, secrets);
}
