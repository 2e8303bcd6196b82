import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent } from "./index.js";
import { sampleEvent } from "./testing.js";

describe("event contract", () => {
  it("round-trips an event through encode and decode", () => {
    const event = sampleEvent();
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
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

  it("rejects bodies that are not base64", () => {
    expect(decodeEvent(JSON.stringify({ ...sampleEvent(), response_body: "not base64!" })).ok).toBe(false);
  });

  it("accepts a body at the response cap", () => {
    const body = Buffer.alloc(256 * 1024, 7).toString("base64");
    expect(decodeEvent(encodeEvent(sampleEvent({ response_body: body }))).ok).toBe(true);
  });
});
