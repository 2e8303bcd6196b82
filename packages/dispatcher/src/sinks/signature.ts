import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-llm-proxy-signature";
export const TIMESTAMP_HEADER = "x-llm-proxy-timestamp";

/** `v1=` + hex HMAC-SHA256 over `<unix seconds>.<raw body>`, so a replayed body with a new time fails. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Receiver-side check: constant-time compare and a freshness window (default 5 minutes). */
export function verifyWebhook(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: string, nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || !headers.signature) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
