import { createHash } from "node:crypto";
import { z } from "zod";
import { EVENT_SCHEMA_VERSION, type ProxyEvent } from "./index.js";

/**
 * An event as the original Go llm-proxy publishes it to the same stream (`data` = Go's JSON of
 * its `eventbus.Event`, which has no JSON tags): Go field names, `Duration` in nanoseconds,
 * headers as lists, bodies base64 (null when empty). Read so that events still in the stream
 * at the switch-over are delivered, not parked.
 */
const originalEventSchema = z.object({
  LogID: z.number().optional(),
  RequestID: z.string(),
  Method: z.string().min(1),
  Path: z.string(),
  Status: z.number().int(),
  Duration: z.number().nonnegative().optional(),
  ResponseHeaders: z.record(z.string(), z.array(z.string())).nullable().optional(),
  ResponseBody: z.base64().nullable().optional(),
  RequestBody: z.base64().nullable().optional(),
});

/** Whether a decoded object is in the original's shape (its required Go field names, no schema version). */
export function looksOriginal(raw: Record<string, unknown>): boolean {
  return raw.schema_version === undefined && "RequestID" in raw && "Method" in raw && "Status" in raw;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A stable UUID for the event (its idempotency key): the request id the original gave it, else one from the entry. */
function eventId(requestId: string, text: string): string {
  if (UUID.test(requestId)) return requestId.toLowerCase();
  const h = createHash("sha256").update(text).digest("hex");
  const variant = ((parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The stream entry's id (`<ms>-<seq>`) is when the original published: right after the response ended. */
function publishedAt(entryId: string | undefined): number {
  const ms = Number(entryId?.split("-")[0]);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : Date.now();
}

/** Lowercase names, lists joined like one HTTP header; cookies never go on to a sink. */
function headers(given: Record<string, string[]> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(given ?? {})) {
    const key = name.toLowerCase();
    if (key !== "set-cookie") out[key] = values.join(", ");
  }
  return out;
}

/**
 * Maps an original event onto ours. What it does not carry stays empty: no project, token,
 * model (the dispatcher reads the model from the bodies, as for ours), usage or timings beyond
 * the total duration; bodies were capped by the original (64 KiB / 256 KiB) and are marked untruncated.
 */
export function fromOriginal(raw: unknown, text: string, entryId?: string): { ok: true; event: ProxyEvent } | { ok: false; reason: string } {
  const parsed = originalEventSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: `invalid_original_event:${first?.path.join(".") || "(root)"}:${first?.message ?? "invalid"}` };
  }
  const e = parsed.data;
  const durationMs = (e.Duration ?? 0) / 1e6;
  const responseHeaders = headers(e.ResponseHeaders);
  return {
    ok: true,
    event: {
      schema_version: EVENT_SCHEMA_VERSION,
      id: eventId(e.RequestID, text),
      request_id: e.RequestID,
      project_id: "",
      token_id: "",
      provider: "openai",
      method: e.Method.toUpperCase(),
      path: e.Path,
      status: e.Status,
      model: null,
      streaming: (responseHeaders["content-type"] ?? "").includes("text/event-stream"),
      timestamp: new Date(publishedAt(entryId) - durationMs).toISOString(),
      duration_ms: durationMs,
      upstream_ms: null,
      first_byte_ms: null,
      usage: null,
      cache_status: null,
      response_headers: responseHeaders,
      request_body: e.RequestBody ?? "",
      request_body_truncated: false,
      response_body: e.ResponseBody ?? "",
      response_body_truncated: false,
      error_code: null,
    },
  };
}
