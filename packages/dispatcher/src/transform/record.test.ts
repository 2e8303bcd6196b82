import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { EVENT_SCHEMA_VERSION, type ProxyEvent } from "@llm-proxy/events";
import { BINARY_PLACEHOLDER, MULTIPART_PLACEHOLDER } from "./body.js";
import { toRecord } from "./record.js";
import { mergeSse } from "./sse.js";

const fixture = (name: string) => readFileSync(new URL(`../../../events/fixtures/${name}`, import.meta.url), "utf8");
const nonStreamed: unknown = JSON.parse(fixture("chat-completion.json"));
const streamed = fixture("chat-completion.sse");
const chatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }] };

function event(body: Buffer | string, headers: Record<string, string>, overrides: Partial<ProxyEvent> = {}): ProxyEvent {
  return {
    schema_version: EVENT_SCHEMA_VERSION,
    id: randomUUID(),
    request_id: "req-1",
    project_id: "p",
    token_id: "t",
    provider: "openai",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    model: null,
    streaming: false,
    timestamp: "2026-01-01T00:00:00.000Z",
    duration_ms: 100,
    upstream_ms: 90,
    first_byte_ms: 10,
    usage: null,
    cache_status: "miss",
    response_headers: headers,
    request_body: Buffer.from(JSON.stringify(chatRequest)).toString("base64"),
    request_body_truncated: false,
    response_body: Buffer.from(body).toString("base64"),
    response_body_truncated: false,
    error_code: null,
    ...overrides,
  };
}

describe("transform: SSE merge (golden)", () => {
  it("merges a streamed chat completion into exactly the non-streamed object", async () => {
    expect(mergeSse(streamed)).toEqual(nonStreamed);
  });

  it("merges tool-call argument fragments in order", async () => {
    const merged = mergeSse(fixture("tool-call.sse")) as { choices: Array<{ message: unknown; finish_reason: string }> };
    expect(merged.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } }] },
      logprobs: null,
      finish_reason: "tool_calls",
    });
  });

  it("keeps the complete chunks of a stream cut at the capture cap", async () => {
    const cut = streamed.slice(0, streamed.indexOf(" today") + 3);
    const merged = mergeSse(cut) as { choices: Array<{ message: { content: string } }>; usage: unknown };
    expect(merged.choices[0]?.message.content).toBe("Hello! How can I help you");
    expect(merged.usage).toBeNull();
  });

  it("takes the final response object of a Responses API stream", async () => {
    const response = { id: "resp_1", object: "response", status: "completed", usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } };
    const text = `event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1"}}\n\nevent: response.completed\ndata: ${JSON.stringify({ type: "response.completed", response })}\n\n`;
    expect(mergeSse(text)).toEqual(response);
  });
});

describe("transform: event to record", () => {
  it("turns a streamed event into the non-streamed shape with the stream's usage", async () => {
    const record = await toRecord(event(streamed, { "content-type": "text/event-stream; charset=utf-8" }, { streaming: true }));
    expect(record.response).toEqual(nonStreamed);
    expect(record.request).toEqual(chatRequest);
    expect(record.usage).toEqual({ prompt_tokens: 9, completion_tokens: 9, total_tokens: 18, source: "response" });
    expect(record.model).toBe("gpt-4o-mini-2024-07-18");
  });

  it("decodes gzip bodies", async () => {
    const record = await toRecord(event(gzipSync(JSON.stringify(nonStreamed)), { "Content-Type": "application/json", "Content-Encoding": "gzip" }));
    expect(record.response).toEqual(nonStreamed);
  });

  it("decodes br bodies, streamed ones included", async () => {
    const record = await toRecord(event(brotliCompressSync(streamed), { "content-type": "text/event-stream", "content-encoding": "br" }));
    expect(record.response).toEqual(nonStreamed);
  });

  it("decodes what it can of a gzip body cut at the cap", async () => {
    const whole = gzipSync(streamed);
    const record = await toRecord(event(whole.subarray(0, Math.floor(whole.length * 0.8)), { "content-type": "text/event-stream", "content-encoding": "gzip" }, { response_body_truncated: true }));
    expect((record.response as { object: string }).object).toBe("chat.completion");
  });

  it("replaces binary and multipart bodies with placeholders", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
    expect((await toRecord(event(png, { "content-type": "image/png" }))).response).toBe(BINARY_PLACEHOLDER);
    expect((await toRecord(event(png, {}))).response).toBe(BINARY_PLACEHOLDER); // not UTF-8
    expect((await toRecord(event("--b\r\n", { "content-type": "multipart/form-data; boundary=b" }))).response).toBe(MULTIPART_PLACEHOLDER);
  });

  it("keeps a JSON body cut at the cap as text", async () => {
    const record = await toRecord(event('{"id":"x","choi', { "content-type": "application/json" }, { response_body_truncated: true }));
    expect(record.response).toBe('{"id":"x","choi');
  });

  it("counts tokens with the tokenizer when neither event nor response has usage", async () => {
    const body = { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Hello there, friend!" } }] };
    const record = await toRecord(event(JSON.stringify(body), { "content-type": "application/json" }));
    expect(record.usage?.source).toBe("estimated");
    expect(record.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(record.usage?.completion_tokens).toBe(5);
    expect(record.usage?.total_tokens).toBe((record.usage?.prompt_tokens ?? 0) + 5);
  });

  it("prefers the usage the proxy put in the event", async () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    expect((await toRecord(event(JSON.stringify(nonStreamed), { "content-type": "application/json" }, { usage }))).usage).toEqual({ ...usage, source: "event" });
  });

  it("handles empty bodies (GET, proxy errors)", async () => {
    const record = await toRecord(event("", {}, { method: "GET", path: "/v1/models", request_body: "", status: 401, error_code: "invalid_token" }));
    expect(record).toMatchObject({ request: null, response: null, usage: null, error_code: "invalid_token" });
  });
});
