import crypto from "node:crypto";

/**
 * The admin session lives in one AES-256-GCM sealed cookie: any instance holding the same secret
 * can read it, and the browser never sees the management token in readable form. The CSRF token
 * is an HMAC of the session id. A signed-in session is also recorded server-side (see
 * `storedSessionId`), so signing out ends it everywhere.
 */
export interface Session {
  /** Random per sign-in (and per anonymous visit to the login page); the CSRF token is bound to it. */
  sid: string;
  /** The management token the admin signed in with; absent before sign-in. */
  token?: string;
  /** Unix ms after which the session is refused even if the browser still sends it. */
  exp: number;
  /** "Remember me": the cookie carries a Max-Age instead of being a browser-session cookie. */
  remember?: boolean;
}

export interface SessionKeys {
  seal(value: unknown, purpose: string): string;
  open<T>(sealed: string, purpose: string): T | undefined;
  csrfToken(sid: string): string;
  checkCsrf(sid: string, presented: string | undefined): boolean;
}

const derive = (secret: string, info: string) =>
  Buffer.from(crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), "llm-proxy-admin-ui", info, 32));

export function sessionKeys(secret: string): SessionKeys {
  if (secret.length < 16) throw new Error("the admin session secret must have at least 16 characters");
  const encKey = derive(secret, "session-cookie-v1");
  const csrfKey = derive(secret, "csrf-v1");
  const csrfToken = (sid: string) => crypto.createHmac("sha256", csrfKey).update(sid).digest("base64url");
  return {
    seal(value, purpose) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", encKey, iv);
      // The purpose is authenticated data: a flash cookie cannot be replayed as a session.
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    },
    open<T>(sealed: string, purpose: string): T | undefined {
      try {
        const raw = Buffer.from(sealed, "base64url");
        if (raw.length < 29) return undefined;
        const decipher = crypto.createDecipheriv("aes-256-gcm", encKey, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
        return JSON.parse(text) as T;
      } catch {
        return undefined;
      }
    },
    csrfToken,
    checkCsrf(sid, presented) {
      if (!presented) return false;
      const expected = Buffer.from(csrfToken(sid));
      const given = Buffer.from(presented);
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    },
  };
}

export const newSessionId = () => crypto.randomBytes(18).toString("base64url");

/** How a session is known server-side (admin_sessions): a hash, so the table holds nothing a cookie needs. */
export const storedSessionId = (sid: string) => crypto.createHash("sha256").update(sid).digest("base64url");

export function isSession(v: unknown): v is Session {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.sid === "string" && typeof s.exp === "number" && (s.token === undefined || typeof s.token === "string");
}
