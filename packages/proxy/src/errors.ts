import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";

/** The closed set of failure codes; each maps to one HTTP status. */
const STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  project_inactive: 403,
  service_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof STATUS;

/**
 * The one error class. Verbs and routes throw it; a single `onError` renders it. The message is
 * shown to the client, so it never contains a secret.
 */
export class AppError extends Error {
  override name = "AppError";
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { description?: string; showCode?: boolean; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const badRequest = (message: string) => new AppError("invalid_request", message);
export const notFound = (message: string) => new AppError("not_found", message);

/** A dependency outage: 503 with the code, so clients can tell it from their own mistakes and retry. */
export const unavailable = (message: string) => new AppError("service_unavailable", message, { showCode: true });

/**
 * Failures that say the database could not be reached or dropped the connection (postgres.js
 * and Node socket codes, SQLSTATE class 08, shutdown and connection limits), as opposed to a
 * query it rejected.
 */
const OUTAGE_CODES = new Set([
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN",
  "57P01", "57P02", "57P03", "53300",
]);

export function isDatabaseOutage(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" && (OUTAGE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code));
}

/**
 * Names where the first NUL character sits in a JSON-like value (a string, or a field name or
 * string anywhere inside): `'path.to.field'`, or "a field name"; undefined when there is none.
 * PostgreSQL text cannot hold NUL, so such input is refused before any query. Iterative: the
 * nesting depth is the client's.
 */
export function nulPath(value: unknown, root = ""): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, at] = item;
    if (typeof v === "string" && v.includes("\0")) return at ? `'${at.slice(0, 100)}'` : "the input";
    if (typeof v !== "object" || v === null) continue;
    for (const [k, child] of Object.entries(v)) {
      if (k.includes("\0")) return "a field name";
      stack.push([child, at ? `${at}.${k}` : k]);
    }
  }
  return undefined;
}

/** The 400 for NUL input; it names the field and never echoes the value. */
export const nulRefused = (where: string) => badRequest(`${where} must not contain NUL characters`);

/**
 * Validates verb input against its schema. A missing or wrongly typed required field yields the
 * schema's own message; unknown fields and wrong types get a message naming the field.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw badRequest("invalid request body");
  const nul = nulPath(input);
  if (nul !== undefined) throw nulRefused(nul);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === "unrecognized_keys") throw badRequest(`unknown field '${issue.keys[0]}'`);
  const field = issue?.path.join(".");
  const message = issue?.message && !issue.message.startsWith("Invalid input") ? issue.message : `invalid value for '${field}'`;
  throw badRequest(message);
}

/** An RFC 3339 time in a query string, parsed to a Date; the message names the field. */
export const rfc3339 = (field: string) =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), `${field} must be an RFC3339 time`)
    .transform((s) => new Date(s));
