import type { IncomingMessage } from "node:http";
import { ProxyError } from "./errors.js";

export function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mime = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return mime === "application/json" || mime.endsWith("+json");
}

/** Reads a request body into memory, refusing more than `max` bytes with 413. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        req.resume();
        reject(new ProxyError("payload_too_large", `request body exceeds ${max} bytes`));
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
export function checkParams(body: Record<string, unknown>, whitelist: Map<string, RegExp[]>, patterns: Map<string, string[]>): void {
  for (const [param, globs] of whitelist) {
    if (!(param in body)) continue;
    const raw = body[param];
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    if (!globs.some((g) => g.test(value))) {
      throw new ProxyError("param_not_allowed", undefined, {
        message: `Parameter '${param}' value '${value}' is not allowed. Allowed patterns: ${goList(patterns.get(param) ?? [])}`,
      });
    }
  }
}
