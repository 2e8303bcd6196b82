import crypto from "node:crypto";

const PREFIX = "enc:v1:";

/**
 * Encryption at rest. With a key, upstream API keys are sealed with AES-256-GCM (`enc:v1:` +
 * base64(nonce ‖ ciphertext ‖ tag)) and token secrets are stored as their SHA-256 hex so that a
 * database dump reveals neither. Without a key both are stored as given, as the original did.
 */
export interface Secrets {
  readonly enabled: boolean;
  /** Identifies the key, for the record kept with the data (see keyFingerprint); undefined without one. */
  readonly fingerprint: string | undefined;
  sealApiKey(plain: string): string;
  openApiKey(stored: string): string;
  /** The value stored in (and looked up from) `tokens.token`. */
  tokenLookupKey(secret: string): string;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function isTokenHash(stored: string): boolean {
  return /^[0-9a-f]{64}$/.test(stored);
}

export function sha256Hex(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

/**
 * What is stored about a key: an HMAC under the key of a fixed label. It identifies the key
 * without revealing it, and unlike a plain hash of the key it gives nothing to test guesses against.
 */
export function keyFingerprint(key: Buffer): string {
  return "hmac-sha256:" + crypto.createHmac("sha256", key).update("llm-proxy encryption key fingerprint v1").digest("hex");
}

export function createSecrets(key: Buffer | undefined): Secrets {
  return {
    enabled: key !== undefined,
    fingerprint: key ? keyFingerprint(key) : undefined,
    sealApiKey(plain) {
      if (!key || plain === "" || isSealed(plain)) return plain;
      const nonce = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64");
    },
    openApiKey(stored) {
      if (!isSealed(stored)) return stored;
      if (!key) throw new Error("an encrypted API key was found but ENCRYPTION_KEY is not set");
      const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
    },
    tokenLookupKey(secret) {
      return key ? sha256Hex(secret) : secret;
    },
  };
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
