import { z } from "zod";
import { fromOriginal, looksOriginal } from "./original.js";

/**
 * The versioned contract between the proxy (publisher) and the dispatcher (consumer): one event
 * per proxied request, published after the response ended. Bump EVENT_SCHEMA_VERSION on any
 * breaking change; consumers reject versions they do not know instead of guessing.
 */
export const EVENT_SCHEMA_VERSION = 1 as const;

/** Raw bytes kept of each body before base64 encoding (the original's 64 KiB / 256 KiB). */
export const REQUEST_BODY_CAP = 64 * 1024;
export const RESPONSE_BODY_CAP = 256 * 1024;

/** The single field of a Redis Streams entry; its value is the JSON event (as in the original). */
export const STREAM_FIELD = "data";

const nullableMs = z.number().nonnegative().nullable();

export const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});

export const proxyEventSchema = z.object({
  schema_version: z.literal(EVENT_SCHEMA_VERSION),
  /** Event id (UUID): the idempotency key sinks may deduplicate on under at-least-once delivery. */
  id: z.uuid(),
  request_id: z.string().min(1),
  project_id: z.string(),
  token_id: z.string(),
  provider: z.string().min(1),
  method: z.string().min(1),
  path: z.string(),
  status: z.number().int(),
  model: z.string().nullable(),
  streaming: z.boolean(),
  /** ISO-8601 time the proxy received the request. */
  timestamp: z.iso.datetime({ offset: true }),
  duration_ms: z.number().nonnegative(),
  upstream_ms: nullableMs,
  first_byte_ms: nullableMs,
  usage: usageSchema.nullable(),
  /** The request's cost in USD from the proxy's price table (0: unpriced model); null without usage. Optional: older publishers omit it. */
  cost_usd: z.number().nonnegative().nullable().optional(),
  cache_status: z.string().nullable(),
  /** The upstream's response headers without `set-cookie` (the publisher drops it); values joined like an HTTP header list. */
  response_headers: z.record(z.string(), z.string()),
  request_body: z.base64(),
  request_body_truncated: z.boolean(),
  response_body: z.base64(),
  response_body_truncated: z.boolean(),
  /** Set when the proxy itself generated the response (e.g. "token_expired"). */
  error_code: z.string().nullable(),
});

export type ProxyEvent = z.infer<typeof proxyEventSchema>;
export type Usage = z.infer<typeof usageSchema>;

export type DecodeResult = { ok: true; event: ProxyEvent } | { ok: false; reason: string };

/** Characters JSON.stringify writes as they are: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A JSON string: short ones checked and quoted here, long ones (the bodies) by JSON.stringify's native scan. */
const str = (s: string): string => (s.length <= 64 && PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));
const num = (n: number): string => (Number.isFinite(n) ? String(n) : "null");
const orNull = <T>(v: T | null | undefined, f: (v: T) => string): string => (v === null || v === undefined ? "null" : f(v));

/**
 * Serialises an event for the stream's `data` field (and a JSONL line): the JSON that
 * `JSON.stringify` gives, written field by field. It runs once per proxied request, and a
 * generic walk of the object cost twice as much as the event's own bytes (two base64 bodies,
 * which need no escaping) take to copy.
 */
export function encodeEvent(e: ProxyEvent): string {
  let headers = "";
  for (const name in e.response_headers) headers += `${headers ? "," : ""}${str(name)}:${str(e.response_headers[name] as string)}`;
  const u = e.usage;
  const usage = u ? `{"prompt_tokens":${num(u.prompt_tokens)},"completion_tokens":${num(u.completion_tokens)},"total_tokens":${num(u.total_tokens)}}` : "null";
  // JSON.stringify leaves out a field that is undefined; cost_usd is the only optional one.
  const cost = e.cost_usd === undefined ? "" : `"cost_usd":${orNull(e.cost_usd, num)},`;
  return (
    `{"schema_version":${num(e.schema_version)},"id":${str(e.id)},"request_id":${str(e.request_id)},"project_id":${str(e.project_id)},` +
    `"token_id":${str(e.token_id)},"provider":${str(e.provider)},"method":${str(e.method)},"path":${str(e.path)},"status":${num(e.status)},` +
    `"model":${orNull(e.model, str)},"streaming":${e.streaming === true},"timestamp":${str(e.timestamp)},"duration_ms":${num(e.duration_ms)},` +
    `"upstream_ms":${orNull(e.upstream_ms, num)},"first_byte_ms":${orNull(e.first_byte_ms, num)},"usage":${usage},${cost}` +
    `"cache_status":${orNull(e.cache_status, str)},"response_headers":{${headers}},"request_body":${str(e.request_body)},` +
    `"request_body_truncated":${e.request_body_truncated === true},"response_body":${str(e.response_body)},` +
    `"response_body_truncated":${e.response_body_truncated === true},"error_code":${orNull(e.error_code, str)}}`
  );
}

/** Bytes given to a batch per event at first: an event with two small bodies is about 1.2 KB. */
const BYTES_PER_EVENT = 1536;

/**
 * A batch as JSON lines in UTF-8 (a JSONL chunk; a JSON text has no raw newline, so the lines
 * split back into the events), each event's text written into one Buffer on its own: joining
 * the texts first and converting the result cost more than the encoding itself, as V8 walks a
 * string built of thousands of pieces slowly.
 */
export function jsonLines(events: readonly ProxyEvent[]): Buffer {
  let data = Buffer.allocUnsafe(Math.max(4096, events.length * BYTES_PER_EVENT));
  let at = 0;
  for (const event of events) {
    const text = encodeEvent(event);
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    const need = at + text.length * 3 + 1;
    if (need > data.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, data.length * 2));
      data.copy(grown, 0, 0, at);
      data = grown;
    }
    at += data.write(text, at);
    data[at++] = 0x0a;
  }
  return data.subarray(0, at);
}

/**
 * Parses a stream entry's `data`; never throws, so one poison entry cannot stop a consumer. An
 * event in the original Go proxy's shape is mapped onto ours (`entryId`, the stream entry's id,
 * dates it).
 */
export function decodeEvent(text: string, entryId?: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: "malformed_json" };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: "not_an_object" };
  }
  if (looksOriginal(raw as Record<string, unknown>)) return fromOriginal(raw, text, entryId);
  const version = (raw as Record<string, unknown>).schema_version;
  if (version !== EVENT_SCHEMA_VERSION) {
    return { ok: false, reason: `unknown_schema_version:${String(version)}` };
  }
  const parsed = proxyEventSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join(".") || "(root)" : "(root)";
    return { ok: false, reason: `invalid_event:${where}:${first?.message ?? "invalid"}` };
  }
  return { ok: true, event: parsed.data };
}
