import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";

/**
 * Every failure the proxy answers with, in one table: code → HTTP status and the message shown
 * when the thrower gives none. The management API, the admin UI and the `/v1` data plane (the
 * original's codes, second block) all render from it.
 */
const CODES = {
  invalid_request: [400, "Invalid request"],
  unauthorized: [401, "Unauthorized"],
  forbidden: [403, "Forbidden"],
  not_found: [404, "Not found"],
  method_not_allowed: [405, "Method not allowed"],
  conflict: [409, "Conflict"],
  payload_too_large: [413, "Request body too large"],
  unsupported_media_type: [415, "Unsupported media type"],
  too_many_requests: [429, "Too many requests"],
  project_inactive: [403, "Project is inactive"],
  service_unavailable: [503, "Service temporarily unavailable"],
  internal_error: [500, "Internal server error"],

  invalid_token: [401, "Invalid token"],
  token_not_found: [401, "Token not found"],
  token_inactive: [401, "Token is inactive"],
  token_expired: [401, "Token has expired"],
  rate_limit_exceeded: [429, "Rate limit exceeded"],
  budget_exceeded: [429, "Budget exceeded"],
  origin_not_allowed: [403, "Origin not allowed"],
  origin_required: [400, "Origin header required"],
  header_required: [400, "Required header missing"],
  param_not_allowed: [400, "Parameter not allowed"],
  endpoint_not_found: [404, "Endpoint not found"],
  upstream_auth_error: [503, "Upstream authentication error"],
  circuit_open: [503, "Upstream unavailable (circuit breaker open)"],
  upstream_error: [502, "Proxy error"],
  timeout: [504, "Request timeout"],
  canceled: [408, "Request canceled"],
} as const satisfies Record<string, readonly [ContentfulStatusCode, string]>;

export type ErrorCode = keyof typeof CODES;

export const statusOf = (code: ErrorCode): ContentfulStatusCode => CODES[code][0];

/**
 * The one shape of a failure. The data plane returns it as a value (an expired token or a spent
 * quota is an outcome, not an exception); management verbs throw it as an `AppError`.
 */
export interface Problem {
  readonly code: ErrorCode;
  /** Shown to the client: never a secret. */
  readonly message: string;
  readonly description?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A failure as a value. `permanent` (by default every 401 and 403) adds `x-should-retry: false`,
 * which the official OpenAI and Anthropic SDKs honour by skipping their back-off retries.
 */
export function problem(
  code: ErrorCode,
  description?: string,
  opts: { message?: string; headers?: Record<string, string>; permanent?: boolean } = {},
): Problem {
  const status = CODES[code][0];
  const permanent = opts.permanent ?? (status === 401 || status === 403);
  const headers = permanent ? { ...opts.headers, "x-should-retry": "false" } : opts.headers;
  return { code, message: opts.message ?? CODES[code][1], description, headers };
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && typeof (value as Problem).code === "string" && (value as Problem).code in CODES;
}

/** The `/v1` body, as the original writes it: `{error, code, description?}` and a newline. */
export function v1Body(p: Problem): string {
  return JSON.stringify({ error: p.message, code: p.code, ...(p.description ? { description: p.description } : {}) }) + "\n";
}

/**
 * A problem thrown: verbs and routes throw it, one `onError` per front door renders it. The
 * message is shown to the client, so it never contains a secret.
 */
export class AppError extends Error implements Problem {
  override name = "AppError";
  readonly status: ContentfulStatusCode;
  readonly description: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly options: { description?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(message ?? CODES[code][1]);
    this.status = CODES[code][0];
    this.description = options.description;
    this.headers = options.headers;
  }

}

export const badRequest = (message: string) => new AppError("invalid_request", message);
export const notFound = (message: string) => new AppError("not_found", message);

/** A dependency outage: 503 with the code, so clients can tell it from their own mistakes and retry. */
export const unavailable = (message: string) => new AppError("service_unavailable", message);

/**
 * The management API's JSON body, as the original writes it: `{error}`, with the code for the
 * failures a client is expected to tell apart (the original's shape for the others carries none).
 */
const MANAGE_SHOWS_CODE = new Set<ErrorCode>(["project_inactive", "service_unavailable"]);

export function manageBody(err: AppError): Record<string, unknown> {
  return { error: err.message, ...(MANAGE_SHOWS_CODE.has(err.code) ? { code: err.code } : {}), ...err.options.extra };
}

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

/** What of the input a schema reads: a `z.object` drops fields it does not know, so they are not looked at. */
function readBy(schema: z.ZodType, input: object): object {
  if (!(schema instanceof z.ZodObject) || schema.def.catchall !== undefined) return input;
  return Object.fromEntries(Object.entries(input).filter(([k]) => Object.hasOwn(schema.shape, k)));
}

/**
 * Validates verb input against its schema. A missing or wrongly typed required field yields the
 * schema's own message; wrong types get a message naming the field. Fields a `z.object` schema
 * does not know are dropped, as the original ignores them (the management inputs), and never
 * fail the request, not even with a NUL in them; a strict schema refuses them by name.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw badRequest("invalid request body");
  const nul = nulPath(readBy(schema, input));
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
