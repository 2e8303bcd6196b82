/** Data-plane failures, with the original's status codes and `{error, code, description}` bodies. */
const CODES = {
  invalid_token: [401, "Invalid token"],
  token_not_found: [401, "Token not found"],
  token_inactive: [401, "Token is inactive"],
  token_expired: [401, "Token has expired"],
  rate_limit_exceeded: [429, "Rate limit exceeded"],
  project_inactive: [403, "Project is inactive"],
  origin_not_allowed: [403, "Origin not allowed"],
  origin_required: [400, "Origin header required"],
  header_required: [400, "Required header missing"],
  param_not_allowed: [400, "Parameter not allowed"],
  invalid_request: [400, "Invalid request"],
  endpoint_not_found: [404, "Endpoint not found"],
  method_not_allowed: [405, "Method not allowed"],
  payload_too_large: [413, "Request body too large"],
  service_unavailable: [503, "Service temporarily unavailable"],
  upstream_auth_error: [503, "Upstream authentication error"],
  circuit_open: [503, "Upstream unavailable (circuit breaker open)"],
  upstream_error: [502, "Proxy error"],
  timeout: [504, "Request timeout"],
  canceled: [408, "Request canceled"],
} as const;

export type ProxyErrorCode = keyof typeof CODES;

export class ProxyError extends Error {
  override name = "ProxyError";
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    readonly code: ProxyErrorCode,
    readonly description?: string,
    /** permanent: retrying cannot help (401, 403 and a spent quota are by default / by caller). */
    opts: { message?: string; headers?: Record<string, string>; permanent?: boolean } = {},
  ) {
    // These are expected outcomes on the hot path, not bugs: skip the costly stack capture.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(opts.message ?? CODES[code][1]);
    Error.stackTraceLimit = limit;
    this.status = CODES[code][0];
    const permanent = opts.permanent ?? (this.status === 401 || this.status === 403);
    // The official OpenAI/Anthropic SDKs honour x-should-retry: false and skip their back-off retries.
    this.headers = permanent ? { ...opts.headers, "x-should-retry": "false" } : (opts.headers ?? {});
  }

  /** The JSON body, with the original's trailing newline. */
  body(): string {
    return JSON.stringify({ error: this.message, code: this.code, ...(this.description ? { description: this.description } : {}) }) + "\n";
  }
}
