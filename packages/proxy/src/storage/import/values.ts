import { createHash } from "node:crypto";

/** A source value that cannot be read as what its column holds; the message names it. */
export class UnreadableValue extends Error {
  override name = "UnreadableValue";
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?(?:\s+[A-Z]{2,5})?$/;

/**
 * A timestamp as the original stored it: text without a zone meaning UTC (its `_loc=UTC`
 * SQLite connection and PostgreSQL `TIMESTAMP` columns), with an offset as go-sqlite3 writes
 * it (`2006-01-02 15:04:05.999999999+00:00`), `CURRENT_TIMESTAMP`'s `2006-01-02 15:04:05`, or
 * unix seconds. Sub-millisecond digits are dropped: this proxy keeps milliseconds.
 */
export function readTimestamp(value: unknown, column: string): Date | null {
  if (value === null || value === undefined || value === "") return null;
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value) * 1000);
  const m = typeof value === "string" ? TIMESTAMP.exec(value.trim()) : null;
  if (!m) throw new UnreadableValue(`${column} ${JSON.stringify(value)} is not a timestamp`);
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  let at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    at -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(at);
}

export function requireTimestamp(value: unknown, column: string): Date {
  const at = readTimestamp(value, column);
  if (!at) throw new UnreadableValue(`${column} is empty`);
  return at;
}

/** SQLite keeps booleans as 0/1, PostgreSQL as booleans; both spellings of text are accepted. */
export function readBoolean(value: unknown, column: string): boolean {
  if (value === true || value === 1 || value === 1n) return true;
  if (value === false || value === 0 || value === 0n) return false;
  const text = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  if (text === "1" || text === "t" || text === "true") return true;
  if (text === "0" || text === "f" || text === "false") return false;
  throw new UnreadableValue(`${column} ${JSON.stringify(value)} is not a boolean`);
}

export function readCount(value: unknown, column: string): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UnreadableValue(`${column} ${JSON.stringify(value)} is not a count`);
  return n;
}

export function readText(value: unknown, column: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new UnreadableValue(`${column} is ${value === null || value === undefined ? "empty" : "not text"}`);
}

export function readOptionalText(value: unknown, column: string): string | null {
  return value === null || value === undefined ? null : readText(value, column);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A stable id for a token of a source that predates token ids (PostgreSQL before migration
 * 00004): a UUID (version 8, RFC 9562) made from the SHA-256 of the stored token, so that a
 * second import finds the same id and skips the row.
 */
export function derivedTokenId(storedToken: string): string {
  const b = createHash("sha256").update(`llm-proxy import token id\0${storedToken}`).digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
