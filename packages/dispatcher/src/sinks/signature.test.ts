import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "./signature.js";

describe("webhook signature", () => {
  const body = '{"events":[]}';
  const now = 1_800_000_000;
  const headers = { timestamp: String(now), signature: signWebhook("secret", now, body) };

  it("verifies with the shared secret", () => {
    expect(headers.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhook("secret", headers, body, now)).toBe(true);
  });

  it("fails for a tampered body, another secret, a moved timestamp or a stale delivery", () => {
    expect(verifyWebhook("secret", headers, body.replace("[]", "[1]"), now)).toBe(false);
    expect(verifyWebhook("other", headers, body, now)).toBe(false);
    expect(verifyWebhook("secret", { ...headers, timestamp: String(now + 1) }, body, now)).toBe(false);
    expect(verifyWebhook("secret", headers, body, now + 301)).toBe(false);
    expect(verifyWebhook("secret", { timestamp: undefined, signature: undefined }, body, now)).toBe(false);
  });
});
