import { describe, expect, it } from "vitest";
import { sessionKeys } from "./session.js";

describe("admin session cookie", () => {
  const keys = sessionKeys("a-session-secret-of-some-length");

  it("round-trips a sealed value and never shows it in the sealed text", () => {
    const sealed = keys.seal({ sid: "s1", token: "management-token-secret", exp: 1 }, "session");
    expect(Buffer.from(sealed, "base64url").toString("latin1")).not.toContain("management-token-secret");
    expect(keys.open(sealed, "session")).toEqual({ sid: "s1", token: "management-token-secret", exp: 1 });
  });

  it("refuses tampered values, another purpose and another secret", () => {
    const sealed = keys.seal({ sid: "s1", exp: 1 }, "session");
    const raw = Buffer.from(sealed, "base64url");
    raw[raw.length - 20] = (raw[raw.length - 20] ?? 0) ^ 1;
    expect(keys.open(raw.toString("base64url"), "session")).toBeUndefined();
    expect(keys.open(sealed, "flash")).toBeUndefined();
    expect(sessionKeys("another-session-secret-value").open(sealed, "session")).toBeUndefined();
    expect(keys.open("garbage", "session")).toBeUndefined();
  });

  it("binds CSRF tokens to the session id", () => {
    const token = keys.csrfToken("sid-a");
    expect(keys.checkCsrf("sid-a", token)).toBe(true);
    expect(keys.checkCsrf("sid-b", token)).toBe(false);
    expect(keys.checkCsrf("sid-a", undefined)).toBe(false);
    expect(keys.checkCsrf("sid-a", token.slice(1))).toBe(false);
  });

  it("rejects a short secret", () => {
    expect(() => sessionKeys("short")).toThrow(/at least 16/);
  });
});
