import fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError, FORMS, parseDuration } from "@llm-proxy/config";

/**
 * Client headers that choose whose account the upstream bills: dropped unless the provider lists
 * them in `forward_headers` (its `default_headers` may set them instead).
 */
export const BILLING_HEADERS = ["openai-organization", "openai-project"] as const;

/**
 * Upstream providers as data, in the original's `api_providers.yaml` schema plus a few keys of
 * our own (`auth`, `default_headers`, `forward_headers`, `mount`, `timeouts.stream_idle`, `connection.max_conns`).
 * The default provider serves `/v1/*`; every other one serves `/<name>/v1/*` (or its `mount`).
 */
export interface Provider {
  name: string;
  /** Path prefix clients use in front of `/v1/...`: "" for the default provider. */
  mount: string;
  /** Upstream origin (scheme + host + port). */
  origin: string;
  /** Path prefix of `base_url`, kept in front of every upstream path (no trailing slash). */
  basePath: string;
  allowedEndpoints: string[];
  allowedMethods: Set<string>;
  paramWhitelist: Map<string, RegExp[]>;
  /** Raw patterns, for the 400 message. */
  paramPatterns: Map<string, string[]>;
  allowedOrigins: Set<string>;
  requiredHeaders: string[];
  auth: "bearer" | "x-api-key";
  defaultHeaders: Record<string, string>;
  /** Billing headers (OpenAI-Organization, OpenAI-Project), lowercased, that clients may set. */
  forwardHeaders: Set<string>;
  headersTimeoutMs: number;
  streamIdleTimeoutMs: number;
  /** Longest total time of a non-streamed response; 0 = no limit. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v * 1000 : parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected ${FORMS.duration}` });
    return z.NEVER;
  }
  return ms;
});

const providerSchema = z.strictObject({
  base_url: z.url({ protocol: /^https?$/, message: "expected an http(s) URL" }),
  allowed_endpoints: z.array(z.string().startsWith("/", "endpoints start with /")).min(1),
  allowed_methods: z.array(z.string().min(1)).min(1),
  timeouts: z
    .strictObject({
      request: duration.optional(),
      response_header: duration.optional(),
      idle_connection: duration.optional(),
      /** Accepted for compatibility: every chunk is flushed at once, the strictest interval. */
      flush_interval: duration.optional(),
      stream_idle: duration.optional(),
    })
    .optional(),
  connection: z
    .strictObject({
      /** Accepted for compatibility: undici keeps every pooled connection alive until idle_connection. */
      max_idle_conns: z.number().int().positive().optional(),
      max_idle_conns_per_host: z.number().int().positive().optional(),
      max_conns: z.number().int().positive().optional(),
    })
    .optional(),
  param_whitelist: z.record(z.string(), z.array(z.string())).optional(),
  allowed_origins: z.array(z.string()).optional(),
  required_headers: z.array(z.string().min(1)).optional(),
  auth: z.enum(["bearer", "x-api-key"]).optional(),
  default_headers: z.record(z.string(), z.string()).optional(),
  forward_headers: z
    .array(
      z.string().refine((h) => (BILLING_HEADERS as readonly string[]).includes(h.toLowerCase()), {
        message: "expected OpenAI-Organization or OpenAI-Project (other client headers are always forwarded or always dropped)",
      }),
    )
    .optional(),
  mount: z
    .string()
    .regex(/^\/[a-z0-9][a-z0-9_-]*$/i, "expected a path segment such as /anthropic")
    .optional(),
});

const fileSchema = z.strictObject({
  default_api: z.string().min(1),
  apis: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "provider names are letters, digits, - and _"), providerSchema),
});

export interface ProviderDefaults {
  headersTimeoutMs: number;
  streamIdleTimeoutMs: number;
}

/** Shell-style glob: `*` and `?` never cross `/`; `[...]` classes pass through. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end === -1) re += "\\[";
      else {
        re += "[" + glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function build(name: string, raw: z.infer<typeof providerSchema>, isDefault: boolean, d: ProviderDefaults): Provider {
  const url = new URL(raw.base_url);
  const whitelist = raw.param_whitelist ?? {};
  const anthropic = /anthropic/i.test(name) || url.hostname.endsWith("anthropic.com");
  return {
    name,
    mount: isDefault ? "" : (raw.mount ?? `/${name}`),
    origin: url.origin,
    // Clients already send /v1/...: a base URL ending in /v1 (the SDKs' habit) would give /v1/v1/...
    basePath: url.pathname.replace(/\/+$/, "").replace(/\/v1$/, ""),
    allowedEndpoints: raw.allowed_endpoints,
    allowedMethods: new Set(raw.allowed_methods.map((m) => m.toUpperCase())),
    paramWhitelist: new Map(Object.entries(whitelist).map(([k, globs]) => [k, globs.map(globToRegExp)])),
    paramPatterns: new Map(Object.entries(whitelist)),
    allowedOrigins: new Set(raw.allowed_origins ?? []),
    requiredHeaders: (raw.required_headers ?? []).map((h) => h.toLowerCase()),
    auth: raw.auth ?? (anthropic ? "x-api-key" : "bearer"),
    defaultHeaders: raw.default_headers ?? (anthropic ? { "anthropic-version": "2023-06-01" } : {}),
    forwardHeaders: new Set((raw.forward_headers ?? []).map((h) => h.toLowerCase())),
    headersTimeoutMs: raw.timeouts?.response_header ?? d.headersTimeoutMs,
    streamIdleTimeoutMs: raw.timeouts?.stream_idle ?? d.streamIdleTimeoutMs,
    requestTimeoutMs: raw.timeouts?.request ?? 0,
    keepAliveTimeoutMs: raw.timeouts?.idle_connection ?? 90_000,
    maxConnections: raw.connection?.max_conns ?? 1024,
  };
}

/** The built-in profile used when no API_CONFIG_PATH is given: OpenAI at OPENAI_API_URL. */
export function defaultProviders(openaiUrl: string, d: ProviderDefaults): Provider[] {
  const endpoints = [
    "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/responses", "/v1/moderations",
    "/v1/images/", "/v1/audio/", "/v1/files", "/v1/uploads", "/v1/batches", "/v1/fine_tuning/", "/v1/vector_stores",
    "/v1/assistants", "/v1/threads", "/v1/conversations", "/v1/realtime/", "/v1/edits",
  ];
  return [build("openai", { base_url: openaiUrl, allowed_endpoints: endpoints, allowed_methods: ["GET", "POST", "DELETE", "OPTIONS"] }, true, d)];
}

/** Parses a providers file; any problem throws a ConfigError naming the field. */
export function parseProviders(text: string, source: string, d: ProviderDefaults, defaultApi?: string): Provider[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML: ${(err as Error).message.split("\n")[0] ?? ""}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${source}: ${issue?.path.join(".") || "file"}: ${issue?.message ?? "invalid"}`);
  }
  const chosen = defaultApi && defaultApi in parsed.data.apis ? defaultApi : parsed.data.default_api;
  if (!(chosen in parsed.data.apis)) throw new ConfigError(`${source}: default_api: "${chosen}" is not one of apis`);
  const providers = Object.entries(parsed.data.apis).map(([name, raw]) => build(name, raw, name === chosen, d));
  const mounts = new Set<string>();
  for (const p of providers) {
    if (mounts.has(p.mount)) throw new ConfigError(`${source}: apis.${p.name}.mount: "${p.mount}" is used twice`);
    mounts.add(p.mount);
  }
  return providers;
}

export function loadProviders(path: string | undefined, openaiUrl: string, d: ProviderDefaults, defaultApi?: string): Provider[] {
  if (!path) return defaultProviders(openaiUrl, d);
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`API_CONFIG_PATH: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  return parseProviders(text, path, d, defaultApi);
}
