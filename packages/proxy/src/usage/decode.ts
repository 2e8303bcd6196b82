import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from "node:zlib";

type Decoder = (body: Buffer, options: ZlibOptions) => Buffer;

/** RFC 9110 content codings the proxy reads; `x-gzip` is gzip's old name. */
const DECODERS: Record<string, Decoder> = {
  gzip: gunzipSync,
  "x-gzip": gunzipSync,
  br: brotliDecompressSync,
  // HTTP's deflate is zlib-wrapped, but some servers send raw deflate: the zlib header tells them apart.
  deflate: (body, options) => (isZlibHeader(body) ? inflateSync(body, options) : inflateRawSync(body, options)),
};

function isZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && ((b[0] as number) & 0x0f) === 8 && ((b[0] as number) * 256 + (b[1] as number)) % 31 === 0;
}

/**
 * A response body as the upstream meant it, for usage and events: decoded per `Content-Encoding`
 * (codings applied in order, so undone in reverse; none or `identity` is the body itself), never
 * longer than `maxBytes`. Undefined when a coding is unknown, the data is corrupt, or the output
 * would exceed `maxBytes`: zlib stops at the cap (`maxOutputLength`), so a small compressed bomb
 * never allocates more than the cap.
 */
export function decodeBody(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer | undefined {
  if (encoding === undefined) return body.length <= maxBytes ? body : undefined;
  const codings = encoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  // zlib takes 1 … buffer.kMaxLength; a smaller cap is checked on the result.
  const options: ZlibOptions = { maxOutputLength: Math.max(1, Math.floor(maxBytes)) };
  let out = body;
  for (const coding of codings.reverse()) {
    const decode = DECODERS[coding];
    if (!decode) return undefined;
    try {
      out = decode(out, options);
    } catch {
      return undefined; // corrupt, truncated, or over maxOutputLength (ERR_BUFFER_TOO_LARGE)
    }
  }
  return out.length <= maxBytes ? out : undefined;
}
