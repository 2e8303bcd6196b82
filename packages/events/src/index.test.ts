import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EVENT_SCHEMA_VERSION, decodeEvent, encodeEvent, type ProxyEvent } from "./index.js";

function sampleEvent(overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  return {
    schema_version: EVENT_SCHEMA_VERSION,
    id: randomUUID(),
    request_id: "req-1",
    project_id: "proj-1",
    token_id: "tok-1",
    provider: "openai",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    model: "gpt-4o-mini",
    streaming: false,
    timestamp: new Date().toISOString(),
    duration_ms: 12.5,
    upstream_ms: 10,
    first_byte_ms: 3,
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    cache_status: "miss",
    response_headers: { "content-type": "application/json" },
    request_body: Buffer.from('{"model":"gpt-4o-mini"}').toString("base64"),
    request_body_truncated: false,
    response_body: "",
    response_body_truncated: false,
    error_code: null,
    ...overrides,
  };
}

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
