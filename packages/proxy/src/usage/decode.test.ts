import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeBody } from "./decode.js";

const text = Buffer.from(JSON.stringify({ usage: { prompt_tokens: 3, completion_tokens: 4 } }));
const MB = 1024 * 1024;

describe("decodeBody", () => {
  it.each([
    ["gzip", gzipSync(text)],
    ["x-gzip", gzipSync(text)],
    ["br", brotliCompressSync(text)],
    ["deflate", deflateSync(text)],
    ["deflate", deflateRawSync(text)],
    ["GZip ", gzipSync(text)],
    [undefined, text],
    ["", text],
    ["identity", text],
  ])("decodes %s", (encoding, body) => {
    expect(decodeBody(body, encoding, MB)?.toString()).toBe(text.toString());
  });

  it("undoes several codings in reverse order of application", () => {
    expect(decodeBody(brotliCompressSync(gzipSync(text)), "gzip, br", MB)?.toString()).toBe(text.toString());
  });

  it("is undefined for an unknown coding or corrupt data", () => {
    expect(decodeBody(text, "zstd", MB)).toBeUndefined();
    expect(decodeBody(text, "gzip, compress", MB)).toBeUndefined();
    expect(decodeBody(Buffer.from("not gzip at all"), "gzip", MB)).toBeUndefined();
    expect(decodeBody(gzipSync(text).subarray(0, 10), "gzip", MB)).toBeUndefined();
  });

  it("stops a compression bomb at maxBytes instead of inflating it", () => {
    const zeros = Buffer.alloc(64 * MB);
    const bombs = {
      gzip: gzipSync(zeros),
      br: brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
      deflate: deflateSync(zeros),
    };
    expect(bombs.gzip.length).toBeLessThan(100 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    for (const [encoding, bomb] of Object.entries(bombs)) expect(decodeBody(bomb, encoding, MB), encoding).toBeUndefined();
    // Nothing near the 64 MB of output was ever held (a generous bound for zlib's own buffers).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * MB);
  });

  it("keeps an output of exactly maxBytes and refuses one byte more, for every coding and none", () => {
    const body = Buffer.alloc(1000, "a");
    expect(decodeBody(gzipSync(body), "gzip", 1000)?.length).toBe(1000);
    expect(decodeBody(gzipSync(body), "gzip", 999)).toBeUndefined();
    expect(decodeBody(body, undefined, 1000)?.length).toBe(1000);
    expect(decodeBody(body, undefined, 999)).toBeUndefined();
    expect(decodeBody(gzipSync(Buffer.alloc(0)), "gzip", 0)?.length).toBe(0);
    expect(decodeBody(gzipSync(body), "gzip", 0)).toBeUndefined();
  });
});
