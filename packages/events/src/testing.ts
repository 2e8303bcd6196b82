import { randomUUID } from "node:crypto";
import { EVENT_SCHEMA_VERSION, type ProxyEvent } from "./index.js";

/** A valid event for tests of publishers and consumers; override what a test is about. */
export function sampleEvent(overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  return {
    schema_version: EVENT_SCHEMA_VERSION,
    id: randomUUID(),
    request_id: randomUUID(),
    project_id: "proj-test",
    token_id: "tok-test",
    provider: "openai",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    model: "gpt-4o-mini",
    streaming: false,
    timestamp: new Date().toISOString(),
    duration_ms: 20,
    upstream_ms: 18,
    first_byte_ms: 15,
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
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
