import { brotliDecompressSync, constants, gunzipSync, inflateSync } from "node:zlib";

/** What a captured body became: parsed JSON, text, or a placeholder for what is not worth shipping. */
export type DecodedBody = { kind: "json"; value: unknown } | { kind: "text"; value: string } | { kind: "empty" } | { kind: "placeholder"; value: string };

export const BINARY_PLACEHOLDER = "<binary response omitted>";
export const MULTIPART_PLACEHOLDER = "<multipart response omitted>";
export const UNDECODABLE_PLACEHOLDER = "<undecodable body omitted>";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Undoes Content-Encoding; bodies were cut at a cap, so a truncated stream yields what it can. */
export function decompress(raw: Buffer, contentEncoding: string | undefined): Buffer | undefined {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === "identity" || raw.length === 0) return raw;
  try {
    if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH });
    if (encoding === "br") return brotliDecompressSync(raw, { finishFlush: constants.BROTLI_OPERATION_FLUSH });
    if (encoding === "deflate") return inflateSync(raw, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
  return undefined;
}

/** Decodes a base64 capture into the most useful form for an observability backend. */
export function decodeBody(base64: string, contentType: string | undefined, contentEncoding?: string): DecodedBody {
  if (base64.length === 0) return { kind: "empty" };
  const bytes = decompress(Buffer.from(base64, "base64"), contentEncoding);
  if (!bytes) return { kind: "placeholder", value: UNDECODABLE_PLACEHOLDER };
  const type = contentType?.toLowerCase() ?? "";
  if (type.startsWith("multipart/")) return { kind: "placeholder", value: MULTIPART_PLACEHOLDER };
  if (/^(image|audio|video)\/|octet-stream|application\/(zip|pdf)/.test(type)) return { kind: "placeholder", value: BINARY_PLACEHOLDER };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: "placeholder", value: BINARY_PLACEHOLDER };
  }
  if (type.includes("json") || (!type && /^\s*[{[]/.test(text))) {
    try {
      return { kind: "json", value: JSON.parse(text) };
    } catch {
      // A body cut at the capture cap is no longer JSON; the text is still worth keeping.
      return { kind: "text", value: text };
    }
  }
  return { kind: "text", value: text };
}

/** Case-insensitive header lookup over the event's lower- or mixed-case record. */
export function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
