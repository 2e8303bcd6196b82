import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { seedToken } from "./gateway-helpers.js";
import { startStack, type Stack } from "./harness.js";

const providersYaml = (url: string) => `
default_api: openai
apis:
  openai:
    base_url: ${url}
    allowed_endpoints: [/v1/chat/completions]
    allowed_methods: [POST]
  billed:
    base_url: ${url}
    allowed_endpoints: [/v1/chat/completions]
    allowed_methods: [POST]
    forward_headers: [OpenAI-Organization]
`;

interface Sent {
  status: number;
  /** True when the proxy answered `100 Continue` before the body was sent. */
  continued: boolean;
  body: string;
}

/**
 * A request through node:http, which (unlike fetch) may send `Connection` and `Expect`. With
 * `Expect: 100-continue` the body waits for the proxy's `100 Continue`, as curl does.
 */
function send(s: Stack, pathname: string, headers: Record<string, string>, body: string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request(`${s.apiUrl}${pathname}`, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, continued, body: Buffer.concat(chunks).toString("utf8") }));
    });
    if (headers.expect) {
      req.on("continue", () => {
        continued = true;
        req.end(body);
      });
    } else req.end(body);
  });
}

describe("hop-by-hop and billing headers through the proxy", () => {
  let fake: FakeUpstream;
  let s: Stack;
  let dir: string;
  let t: Awaited<ReturnType<typeof seedToken>>;
  const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-headers-"));
    await fs.writeFile(path.join(dir, "providers.yaml"), providersYaml(fake.url));
    s = await startStack("embedded", { API_CONFIG_PATH: path.join(dir, "providers.yaml") });
    t = await seedToken(s);
  });
  afterAll(async () => {
    await s?.close();
    await fake?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.seen.length = 0;
    fake.override = undefined;
  });

  it("drops the headers the client's Connection header names, both ways", async () => {
    fake.override = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", connection: "keep-alive, X-Upstream-Hop", "x-upstream-hop": "secret", "x-upstream-kept": "1" });
      res.end(JSON.stringify({ ok: true }));
      return true;
    };
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${s.apiUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json", connection: "keep-alive, X-Hop-Secret", "x-hop-secret": "for the proxy only", "x-end-to-end": "kept" },
      });
      req.on("error", reject).on("response", (r) => resolve(r.resume()));
      req.end(chat);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-upstream-hop"]).toBeUndefined();
    expect(res.headers["x-upstream-kept"]).toBe("1");
    const seen = fake.seen[0];
    expect(seen?.headers["x-hop-secret"]).toBeUndefined();
    expect(seen?.headers["x-end-to-end"]).toBe("kept");
  });

  it("answers Expect: 100-continue itself and forwards the body without Expect (200, not 502)", async () => {
    const res = await send(s, "/v1/chat/completions", { authorization: `Bearer ${t.secret}`, expect: "100-continue" }, chat);
    expect(res.status).toBe(200);
    expect(res.continued).toBe(true);
    expect(JSON.parse(res.body)).toMatchObject({ choices: [{ message: { content: "Hello from the fake upstream" } }] });
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]?.headers.expect).toBeUndefined();
    expect(JSON.parse(fake.seen[0]?.body ?? "{}")).toMatchObject({ model: "gpt-4o-mini" });
  });

  it("drops OpenAI-Organization and OpenAI-Project by default, forwards what forward_headers lists", async () => {
    const billing = { authorization: `Bearer ${t.secret}`, "openai-organization": "org-client", "openai-project": "proj_client" };
    expect((await send(s, "/v1/chat/completions", billing, chat)).status).toBe(200);
    expect(fake.seen[0]?.headers["openai-organization"]).toBeUndefined();
    expect(fake.seen[0]?.headers["openai-project"]).toBeUndefined();
    expect((await send(s, "/billed/v1/chat/completions", billing, chat)).status).toBe(200);
    expect(fake.seen[1]?.headers["openai-organization"]).toBe("org-client");
    expect(fake.seen[1]?.headers["openai-project"]).toBeUndefined();
  });
});
