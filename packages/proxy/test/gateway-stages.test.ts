import net from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import { gatewaySuite, raw } from "./gateway-helpers.js";
import type { Stack } from "./harness.js";

/** Writes raw bytes on a fresh connection and collects what comes back until `until` matches or the socket ends. */
function exchangeRaw(s: Stack, head: string, until: RegExp, then?: (sock: net.Socket) => void): Promise<{ text: string; ms: number; closed: boolean }> {
  const { hostname, port } = new URL(s.apiUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => sock.write(head));
    let text = "";
    let closed = false;
    const done = () => {
      sock.destroy();
      resolve({ text, ms: performance.now() - started, closed });
    };
    sock.on("data", (d) => {
      text += d.toString();
      if (then && /100 Continue/.test(text)) {
        then(sock);
        then = undefined;
      }
      if (until.test(text)) setTimeout(done, 50);
    });
    sock.on("end", () => {
      closed = true;
      done();
    });
    sock.on("error", reject);
    setTimeout(done, 10_000);
  });
}

describe("the /v1 stages, end to end", () => {
  const g = gatewaySuite();
  beforeEach(() => {
    g.fake.seen.length = 0;
  });

  it("answers a request with no valid token at once, before the body it promised arrives", async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\nAuthorization: Bearer sk-AAAAAAAAAAAAAAAAAAAAAA\r\n\r\n{"model":`;
    const r = await exchangeRaw(g.s, head, /\r\n\r\n\{.*\}\n/s);
    expect(r.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(r.text).toContain('"code":"token_not_found"');
    expect(g.fake.seen.length).toBe(0);
  });

  it("answers Expect: 100-continue itself, after the token check: 401 without 100 for a bad token, 100 then the answer for a good one", async () => {
    const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
    const head = (token: string) =>
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    const refused = await exchangeRaw(g.s, head("sk-AAAAAAAAAAAAAAAAAAAAAA"), /\r\n\r\n\{.*\}\n/s);
    expect(refused.text).not.toContain("100 Continue");
    expect(refused.text).toMatch(/^HTTP\/1\.1 401 /);

    const ok = await exchangeRaw(g.s, head(g.t.secret), /chatcmpl-fake/, (sock) => sock.write(body));
    expect(ok.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(g.fake.seen.at(-1)?.headers.expect).toBeUndefined();
    expect(JSON.parse(g.fake.seen.at(-1)?.body ?? "{}")).toMatchObject({ model: "gpt-4o" });
  });

  it("never opens the breaker for requests the proxy refused or answered itself", async () => {
    // Expect: 100-continue used to reach undici, which refused it: five such 502s opened the
    // provider's breaker for every project.
    const body = JSON.stringify({ model: "gpt-4o", messages: [] });
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nAuthorization: Bearer ${g.t.secret}\r\n\r\n`;
    for (let i = 0; i < 6; i++) {
      const r = await exchangeRaw(g.s, head, /chatcmpl-fake|"code"/, (sock) => sock.write(body));
      expect(r.text).toMatch(/HTTP\/1\.1 200 /);
      expect((await raw(g.s, "/v1/chat/completions", { token: "sk-AAAAAAAAAAAAAAAAAAAAAA", json: {} })).status).toBe(401);
    }
    const ok = await raw(g.s, "/v1/chat/completions", { token: g.t.secret, json: { model: "gpt-4o", messages: [] } });
    expect(ok.status).toBe(200);
  });
});
