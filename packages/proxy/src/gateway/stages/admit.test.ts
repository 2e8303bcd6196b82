import { describe, expect, it } from "vitest";
import { isProblem } from "../../errors.js";
import { admit } from "./admit.js";
import { exchange, providersFrom } from "./testing.js";

const [strict] = providersFrom(`
default_api: openai
apis:
  openai:
    base_url: http://127.0.0.1:9/v1
    allowed_endpoints: [/v1/chat/completions, /v1/models]
    allowed_methods: [GET, POST]
    allowed_origins: [https://app.example.com]
    required_headers: [origin, x-team]
`);
const deps = { maxBodyBytes: 1000 };
const ok = { origin: "https://app.example.com", "x-team": "a" };

describe("admit", () => {
  it("answers a CORS preflight itself, for any origin", () => {
    const { x, answer } = exchange({ method: "OPTIONS", headers: { origin: "https://other.example", "access-control-request-headers": "authorization" }, provider: strict });
    expect(admit(x, deps)).toBe("answered");
    const a = answer();
    expect(a.status).toBe(204);
    expect(a.headers["access-control-allow-origin"]).toBe("*");
    expect(a.headers["access-control-allow-headers"]).toBe("authorization");
    expect(a.headers["x-request-id"]).toBe(x.requestId);
  });

  it("refuses a method the provider does not allow, naming the allowed ones", () => {
    const { x } = exchange({ method: "DELETE", headers: ok, provider: strict });
    const out = admit(x, deps);
    expect(out).toMatchObject({ code: "method_not_allowed", headers: { allow: "GET, POST" } });
  });

  it("refuses endpoints outside the allow-list, dot segments and encoded separators included", () => {
    for (const url of ["/v1/files", "/v1/models/../files", "/v1/models/%2e%2e/files", "/v1/models%2Fx", "/v1//models"]) {
      const { x } = exchange({ method: "GET", url, headers: ok, provider: strict });
      expect(admit(x, deps), url).toMatchObject({ code: "endpoint_not_found" });
    }
  });

  it("refuses a declared body over the cap before reading a byte of it", () => {
    const { x } = exchange({ headers: { ...ok, "content-length": "1001" }, provider: strict });
    expect(admit(x, deps)).toMatchObject({ code: "payload_too_large", description: "request body exceeds 1000 bytes" });
    expect(x.req.readableLength).toBe(0);
  });

  it("applies origin rules and required headers", () => {
    expect(admit(exchange({ headers: { ...ok, origin: "https://evil.example" }, provider: strict }).x, deps)).toMatchObject({ code: "origin_not_allowed" });
    expect(admit(exchange({ headers: { "x-team": "a" }, provider: strict }).x, deps)).toMatchObject({ code: "origin_required" });
    const missing = admit(exchange({ headers: { origin: ok.origin }, provider: strict }).x, deps);
    expect(missing).toMatchObject({ code: "header_required", message: "Header 'x-team' required" });
  });

  it("lets a valid request through and notes whether it carries a body", () => {
    const post = exchange({ headers: { ...ok, "content-length": "10" }, provider: strict }).x;
    expect(admit(post, deps)).toBe("continue");
    expect([post.hasBody, post.declaredLength]).toEqual([true, 10]);
    const chunked = exchange({ headers: { ...ok, "transfer-encoding": "chunked" }, provider: strict }).x;
    expect(admit(chunked, deps)).toBe("continue");
    expect(chunked.hasBody).toBe(true);
    const get = exchange({ method: "GET", url: "/v1/models", headers: { ...ok, "content-length": "10" }, provider: strict }).x;
    expect(admit(get, deps)).toBe("continue");
    expect(get.hasBody).toBe(false);
  });

  it("marks 401 and 403 refusals permanent for the SDKs, and only those", () => {
    const origin = admit(exchange({ headers: { ...ok, origin: "https://evil.example" }, provider: strict }).x, deps);
    expect(isProblem(origin) && origin.headers?.["x-should-retry"]).toBe("false");
    const size = admit(exchange({ headers: { ...ok, "content-length": "5000" }, provider: strict }).x, deps);
    expect(isProblem(size) && size.headers?.["x-should-retry"]).toBeFalsy();
  });
});
