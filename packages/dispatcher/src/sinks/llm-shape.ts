import type { DispatchRecord } from "../transform/record.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Observability backends want LLM calls only: the original dropped everything but POSTs. */
export function isLlmCall(record: DispatchRecord): boolean {
  return record.method === "POST" && record.cache_status !== "hit";
}

/** The prompt side: chat messages when present, else the whole request. */
export function llmInput(record: DispatchRecord): unknown {
  return isObject(record.request) && Array.isArray(record.request.messages) ? record.request.messages : record.request;
}

/** The answer side: the first choice's message (or text) when present, else the whole response. */
export function llmOutput(record: DispatchRecord): unknown {
  if (!isObject(record.response) || !Array.isArray(record.response.choices)) return record.response;
  const first: unknown = record.response.choices[0];
  if (!isObject(first)) return record.response;
  return first.message ?? first.text ?? record.response;
}

export function endTime(record: DispatchRecord): Date {
  return new Date(Date.parse(record.timestamp) + record.duration_ms);
}
