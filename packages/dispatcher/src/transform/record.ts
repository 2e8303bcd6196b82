import type { ProxyEvent } from "@llm-proxy/events";
import { decodeBody, header, type DecodedBody } from "./body.js";
import { mergeSse } from "./sse.js";
import { resolveUsage, type RecordUsage } from "./usage.js";

/**
 * What every sink receives: the event with bodies decoded (JSON, text or a placeholder), streams
 * merged into one completion object, and usage filled in. `id` stays the idempotency key.
 */
export type DispatchRecord = {
  id: string;
  request_id: string;
  project_id: string;
  token_id: string;
  provider: string;
  method: string;
  path: string;
  status: number;
  model: string | null;
  streaming: boolean;
  timestamp: string;
  duration_ms: number;
  upstream_ms: number | null;
  first_byte_ms: number | null;
  cache_status: string | null;
  error_code: string | null;
  usage: RecordUsage | null;
  request: unknown;
  response: unknown;
  request_body_truncated: boolean;
  response_body_truncated: boolean;
  response_headers: Record<string, string>;
};

const value = (body: DecodedBody): unknown => (body.kind === "empty" ? null : body.value);

/** Decodes the request body; the event has no request headers, so JSON is sniffed. */
function decodeRequest(event: ProxyEvent): unknown {
  return value(decodeBody(event.request_body, undefined));
}

function decodeResponse(event: ProxyEvent): unknown {
  const type = header(event.response_headers, "content-type");
  const decoded = decodeBody(event.response_body, type, header(event.response_headers, "content-encoding"));
  if (decoded.kind === "text" && (type?.includes("text/event-stream") || /^\s*(data|event):/.test(decoded.value))) {
    return mergeSse(decoded.value) ?? decoded.value;
  }
  return value(decoded);
}

/** Turns a validated event into the sink-facing record; never throws on odd bodies. */
export async function toRecord(event: ProxyEvent): Promise<DispatchRecord> {
  const request = decodeRequest(event);
  const response = decodeResponse(event);
  const model = event.model ?? modelOf(response) ?? modelOf(request);
  return {
    id: event.id,
    request_id: event.request_id,
    project_id: event.project_id,
    token_id: event.token_id,
    provider: event.provider,
    method: event.method,
    path: event.path,
    status: event.status,
    model,
    streaming: event.streaming,
    timestamp: event.timestamp,
    duration_ms: event.duration_ms,
    upstream_ms: event.upstream_ms,
    first_byte_ms: event.first_byte_ms,
    cache_status: event.cache_status,
    error_code: event.error_code,
    usage: event.status < 400 ? await resolveUsage(event.usage, request, response) : event.usage && { ...event.usage, source: "event" },
    request,
    response,
    request_body_truncated: event.request_body_truncated,
    response_body_truncated: event.response_body_truncated,
    response_headers: event.response_headers,
  };
}

function modelOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const model = (body as Record<string, unknown>).model;
  return typeof model === "string" ? model : null;
}
