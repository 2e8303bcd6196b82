import { readFileSync } from "node:fs";
import path from "node:path";
import type { Args, Option } from "./command.js";
import type { Context } from "./context.js";
import { CliError, UsageError, oneLine } from "./errors.js";

export const DEFAULT_API_URL = "http://localhost:8080";

/** The flags every command that talks to a running proxy shares. */
export const apiUrlOption: Record<string, Option> = {
  "api-url": { type: "string", help: `proxy base URL (env LLM_PROXY_API_URL or MANAGEMENT_API_BASE_URL; default ${DEFAULT_API_URL})` },
};

export const manageOptions: Record<string, Option> = {
  ...apiUrlOption,
  "management-token": { type: "string", help: "bearer for /manage/* (env MANAGEMENT_TOKEN; else ./.env, else $DATA_DIR/management-token of a local proxy)" },
};

export const jsonOption: Record<string, Option> = { json: { type: "boolean", help: "print JSON instead of a table" } };

export function apiUrl(args: Args, ctx: Context): string {
  const raw = args.string("api-url") ?? ctx.env.LLM_PROXY_API_URL ?? ctx.env.MANAGEMENT_API_BASE_URL ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--api-url: "${raw}" is not a URL (expected e.g. ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--api-url: expected an http(s) URL, got "${raw}"`);
  return url.toString().replace(/\/+$/, "");
}

/**
 * Flag, then env (which holds `./.env` or the file `ENV` names: cli.ts reads it at start, as the
 * services do), then the token a local embedded proxy generated on first start.
 */
export function managementToken(args: Args, ctx: Context): string {
  const given = args.string("management-token") ?? ctx.env.MANAGEMENT_TOKEN;
  if (given !== undefined && given.trim() !== "") return given.trim();
  const file = path.resolve(ctx.cwd, ctx.env.DATA_DIR ?? "./data", "management-token");
  try {
    const fromFile = readFileSync(file, "utf8").trim();
    if (fromFile !== "") return fromFile;
  } catch {
    // no local proxy data here
  }
  throw new UsageError("no management token: pass --management-token or set MANAGEMENT_TOKEN");
}

/** A thin client for /manage/*: JSON in, JSON out, every failure one readable line. */
export class ManageApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {}

  static from(args: Args, ctx: Context): ManageApi {
    return new ManageApi(apiUrl(args, ctx), managementToken(args, ctx));
  }

  async request<T>(method: string, pathname: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + pathname, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new CliError(`cannot reach the management API at ${this.baseUrl}: ${oneLine(err).replace(/^fetch failed: /, "")}`);
    }
    const text = await res.text();
    if (!res.ok) throw new CliError(`${method} ${pathname}: ${errorMessage(text, res.statusText)} (HTTP ${res.status})`);
    if (res.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`${method} ${pathname}: the server at ${this.baseUrl} did not answer JSON (is this an llm-proxy?)`);
    }
  }
}

function errorMessage(text: string, fallback: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; description?: unknown };
    if (typeof body.error === "string") return body.error;
  } catch {
    // not JSON
  }
  return text.trim().split("\n")[0]?.slice(0, 200) || fallback;
}

/** Query filters as CLI flags: flag → [query parameter, help]. */
export type QueryFlags = Record<string, readonly [param: string, help: string]>;

/** The string options of a command's query flags. */
export function queryOptions(flags: QueryFlags): Record<string, Option> {
  return Object.fromEntries(Object.entries(flags).map(([flag, [, help]]): [string, Option] => [flag, { type: "string", help }]));
}

/** `?param=value&…` from the flags given ("" when none). */
export function queryString(args: Args, flags: QueryFlags): string {
  const query = new URLSearchParams();
  for (const [flag, [param]] of Object.entries(flags)) {
    const v = args.string(flag);
    if (v !== undefined) query.set(param, v);
  }
  return query.size > 0 ? `?${query}` : "";
}
