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

/**
 * Validates verb input against its schema. A missing or wrongly typed required field yields the
 * schema's own message; unknown fields and wrong types get a message naming the field.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw badRequest("invalid request body");
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
