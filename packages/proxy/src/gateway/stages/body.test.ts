import { describe, expect, it } from "vitest";
import { body } from "./body.js";
import { exchange, providersFrom } from "./testing.js";

const [whitelisted] = providersFrom(`
default_api: openai
apis:
  openai:
    base_url: http://127.0.0.1:9
    allowed_endpoints: [/v1/chat/completions]
    allowed_methods: [POST]
    param_whitelist:
      model: [gpt-4o, "gpt-4o-*"]
`);

function post(text: string, headers: Record<string, string> = { "content-type": "application/json" }) {
  const e = exchange({ headers: { ...headers, "content-length": String(Buffer.byteLength(text)) }, body: text, provider: whitelisted });
  e.x.hasBody = true;
  return e;
}

describe("body", () => {
  it("reads a JSON body, notes the model and applies the parameter whitelist with globs", async () => {
    const { x } = post(JSON.stringify({ model: "gpt-4o-mini", messages: [] }));
    expect(await body(x, { maxBodyBytes: 1000 })).toBe("continue");
    expect(x.model).toBe("gpt-4o-mini");
    expect(x.body?.toString()).toContain("gpt-4o-mini");
    const refused = await body(post(JSON.stringify({ model: "gpt-3.5-turbo" })).x, { maxBodyBytes: 1000 });
    expect(refused).toMatchObject({ code: "param_not_allowed", message: "Parameter 'model' value 'gpt-3.5-turbo' is not allowed. Allowed patterns: [gpt-4o gpt-4o-*]" });
  });

  it("refuses a body that grows past the cap while it is read, and JSON it cannot parse under a whitelist", async () => {
    expect(await body(post(JSON.stringify({ model: "gpt-4o", pad: "x".repeat(2000) })).x, { maxBodyBytes: 1000 })).toMatchObject({ code: "payload_too_large" });
    expect(await body(post("{not json").x, { maxBodyBytes: 1000 })).toMatchObject({ code: "invalid_request", description: "request body is not valid JSON" });
  });

  it("leaves a non-JSON body unread, to stream upstream", async () => {
    const { x } = post("raw bytes", { "content-type": "application/octet-stream" });
    expect(await body(x, { maxBodyBytes: 1000 })).toBe("continue");
    expect(x.body).toBeUndefined();
    expect(x.req.readableLength).toBeGreaterThan(0);
  });

  it("tells a client that waits on Expect: 100-continue to send its body, once it got this far", async () => {
    const { x, wire } = post(JSON.stringify({ model: "gpt-4o" }), { "content-type": "application/json", expect: "100-continue" });
    await body(x, { maxBodyBytes: 1000 });
    expect(Buffer.concat(wire.written).toString()).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
  });
});
