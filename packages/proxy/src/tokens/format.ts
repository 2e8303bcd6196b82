import { randomBytes } from "node:crypto";

/**
 * A withering token: `sk-` + base64url (no padding) of 16 random bytes, 25 chars in all. The
 * original filled the bytes with a UUIDv7, which leaks the creation time; both forms are accepted.
 */
export function generateTokenSecret(): string {
  return "sk-" + randomBytes(16).toString("base64url");
}

/** `sk-` and 22 base64url characters: 132 bits, which decode to exactly 16 bytes. */
const WELL_FORMED = /^sk-[A-Za-z0-9_-]{22}$/;

export function isWellFormedToken(secret: string): boolean {
  return WELL_FORMED.test(secret);
}

/** `sk-` + first 4 + `*` × (n−8) + last 4 of the rest; other strings unchanged (inventory §2.1). */
export function obfuscateToken(token: string): string {
  if (!token.startsWith("sk-")) return token.length === 64 ? `${token.slice(0, 8)}...${token.slice(-4)}` : token;
  const rest = token.slice(3);
  if (rest.length <= 8) return token;
  return `sk-${rest.slice(0, 4)}${"*".repeat(rest.length - 8)}${rest.slice(-4)}`;
}

/** Token ids in audit details: first 8 + `...` + last 4 of the UUID. */
export function obfuscateId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}...${id.slice(-4)}` : id;
}
