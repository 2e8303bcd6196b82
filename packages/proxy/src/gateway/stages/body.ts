import type { IncomingMessage } from "node:http";
import { problem, type Problem } from "../../errors.js";
import { cleanLabel } from "../../usage/label.js";
import type { Exchange, Outcome } from "../exchange.js";
import type { Provider } from "../providers.js";

export function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(";");
  const mime = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mime === "application/json" || mime.endsWith("+json");
}

/** Reads a request body into memory, refusing more than `max` bytes with 413. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | Problem> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        req.resume();
        resolve(problem("payload_too_large", `request body exceeds ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/** Go's fmt of a string slice, as the original's 400 message shows allowed patterns. */
const goList = (items: string[]) => `[${items.join(" ")}]`;

/** Applies the provider's parameter whitelist to a parsed JSON body. */
export function checkParams(body: Record<string, unknown>, p: Pick<Provider, "paramWhitelist" | "paramPatterns">): Problem | undefined {
  for (const [param, globs] of p.paramWhitelist) {
    if (!(param in body)) continue;
    const raw = body[param];
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    if (!globs.some((g) => g.test(value))) {
      return problem("param_not_allowed", undefined, {
        message: `Parameter '${param}' value '${value}' is not allowed. Allowed patterns: ${goList(p.paramPatterns.get(param) ?? [])}`,
      });
    }
  }
  return undefined;
}

const NOT_JSON = problem("invalid_request", "request body is not valid JSON");

/**
 * Reads a JSON body (other bodies stream upstream untouched) within the size cap, applies the
 * parameter whitelist and notes the model. A client that sent `Expect: 100-continue` is told to
 * send its body only now, once it is authenticated.
 */
export function body(x: Exchange, deps: { maxBodyBytes: number }): Outcome | Promise<Outcome> {
  if (!x.hasBody) return "continue";
  if (x.req.headers.expect?.toLowerCase() === "100-continue") x.res.writeContinue();
  if (!isJson(x.req.headers["content-type"])) return "continue";
  return readBody(x.req, deps.maxBodyBytes).then((read) => {
    if (!Buffer.isBuffer(read)) return read;
    x.body = read;
    if (read.length === 0) return "continue";
    let parsed: unknown;
    try {
      parsed = JSON.parse(read.toString("utf8"));
    } catch {
      return x.provider.paramWhitelist.size > 0 ? NOT_JSON : "continue";
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "continue";
    const obj = parsed as Record<string, unknown>;
    // Clean for storage, events and metrics: no NUL or control characters, bounded.
    x.model = cleanLabel(obj.model);
    return x.method === "POST" ? (checkParams(obj, x.provider) ?? "continue") : "continue";
  });
}
