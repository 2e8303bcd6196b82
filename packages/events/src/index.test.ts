import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent, jsonLines, proxyEventSchema, type ProxyEvent } from "./index.js";
import { sampleEvent } from "./testing.js";

describe("event contract", () => {
  it("round-trips an event through encode and decode", () => {
    const event = sampleEvent();
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
  });

  it("encodes exactly as JSON.stringify does, whatever the strings and numbers hold", () => {
    const odd = ['plain', 'a "quote"', "back\\slash", "new\nline\ttab\u0000nul\u001f", "emoji 🚀 pair", "lone \ud800 surrogate", "é ü 中文 \u2028", "", "</script>"];
    const events = [
      sampleEvent(),
      sampleEvent({ model: null, usage: null, upstream_ms: null, first_byte_ms: null, cache_status: null, response_headers: {} }),
      sampleEvent({ cost_usd: 0.0000975 }),
      sampleEvent({ cost_usd: null, duration_ms: 1e21, status: -0, first_byte_ms: Number.NaN, upstream_ms: Infinity }),
      ...odd.map((text) =>
        sampleEvent({ path: text, model: text, error_code: text, cache_status: text, provider: text || "p", response_headers: { [text]: text, "x-other": text }, request_body: text }),
      ),
    ];
    // The fields in the schema's order, as the proxy builds them.
    const inOrder = (e: ProxyEvent) => Object.fromEntries(Object.keys(proxyEventSchema.shape).map((k) => [k, e[k as keyof ProxyEvent]]));
    for (const event of events) expect(encodeEvent(event)).toBe(JSON.stringify(inOrder(event)));
  });

  it("writes a batch as the events' JSON lines in UTF-8, growing past its first guess of the size", () => {
    const wide = "中文 🚀 é\n".repeat(2000);
    const events = [sampleEvent(), sampleEvent({ model: wide, response_headers: { "x-wide": wide } }), sampleEvent({ request_body: "" }), sampleEvent()];
    const lines = events.map((e) => encodeEvent(e) + "\n").join("");
    const data = jsonLines(events);
    expect(data.toString("utf8")).toBe(lines);
    expect(data.length).toBe(Buffer.byteLength(lines));
    expect(jsonLines([]).length).toBe(0);
  });

  it("accepts nullable fields as null", () => {
    const event = sampleEvent({ model: null, usage: null, upstream_ms: null, first_byte_ms: null, cache_status: null });
    expect(decodeEvent(encodeEvent(event)).ok).toBe(true);
  });

  it("rejects malformed JSON without throwing", () => {
    expect(decodeEvent("{not json")).toEqual({ ok: false, reason: "malformed_json" });
  });

  it("rejects unknown schema versions", () => {
    const text = JSON.stringify({ ...sampleEvent(), schema_version: 2 });
    expect(decodeEvent(text)).toEqual({ ok: false, reason: "unknown_schema_version:2" });
  });

  it("rejects non-object payloads and missing versions", () => {
    expect(decodeEvent("[]").ok).toBe(false);
    expect(decodeEvent("null").ok).toBe(false);
    expect(decodeEvent("{}")).toEqual({ ok: false, reason: "unknown_schema_version:undefined" });
  });

  it("names the first invalid field", () => {
    const text = JSON.stringify({ ...sampleEvent(), status: "200" });
    const result = decodeEvent(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^invalid_event:status:/);
  });

  it("maps an event in the original Go proxy's field names onto ours, dated by its stream entry", () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    const original = {
      LogID: 0,
      RequestID: "0b0f6c7e-2d1a-4c1e-9b7a-3f1d2e4c5a6b",
      Method: "POST",
      Path: "/v1/chat/completions",
      Status: 200,
      Duration: 1_500_000_000,
      ResponseHeaders: { "Content-Type": ["application/json"], "X-Multi": ["a", "b"], "Set-Cookie": ["s=1"] },
      ResponseBody: b64({ model: "gpt-4o" }),
      RequestBody: null,
    };
    const result = decodeEvent(JSON.stringify(original), "1700000001500-0");
    expect(result).toEqual({
      ok: true,
      event: expect.objectContaining({
        schema_version: 1,
        id: original.RequestID,
        request_id: original.RequestID,
        method: "POST",
        path: "/v1/chat/completions",
        status: 200,
        duration_ms: 1500,
        timestamp: "2023-11-14T22:13:20.000Z",
        response_headers: { "content-type": "application/json", "x-multi": "a, b" },
        response_body: original.ResponseBody,
        request_body: "",
        project_id: "",
        streaming: false,
      }),
    });
    // Not a UUID: a stable id from the entry, the same on every redelivery.
    const odd = JSON.stringify({ ...original, RequestID: "req-1" });
    const [a, b] = [decodeEvent(odd), decodeEvent(odd)];
    expect(a.ok && b.ok && a.event.id === b.event.id && a.event.id !== "req-1").toBe(true);
    expect(decodeEvent(JSON.stringify({ ...original, Status: "200" }))).toEqual({ ok: false, reason: expect.stringMatching(/^invalid_original_event:Status:/) });
  });

  it("rejects bodies that are not base64", () => {
    expect(decodeEvent(JSON.stringify({ ...sampleEvent(), response_body: "not base64!" })).ok).toBe(false);
  });

  it("accepts a body at the response cap", () => {
    const body = Buffer.alloc(256 * 1024, 7).toString("base64");
    expect(decodeEvent(encodeEvent(sampleEvent({ response_body: body }))).ok).toBe(true);
  });
});
