/**
 * Characters removed from labels: C0 controls (NUL included, which PostgreSQL text cannot hold),
 * DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional embedding,
 * override and isolate controls (they reorder what an admin page or a log line shows).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Printable ASCII, starting and ending with a non-space: already clean. */
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** A UTF-16 surrogate without its other half: not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A client-supplied value (a model name) made safe to store and to use as a metrics label:
 * strings only (anything else is undefined); unsafe characters removed rather than refused, so
 * the request is still counted; lone surrogates become U+FFFD; trimmed; at most `max` characters
 * (code points, never half a surrogate pair). Undefined when nothing is left.
 */
export function cleanLabel(value: unknown, max = 200): string | undefined {
  if (typeof value !== "string") return undefined;
  // The usual model name: printable ASCII, nothing to trim, within the limit (one character a code point).
  if (value.length <= max && PRINTABLE.test(value)) return value;
  let text = value.replace(UNSAFE, "").replace(LONE_SURROGATE, "\ufffd").trim();
  let chars = 0;
  let end = 0;
  for (const ch of text) {
    if (chars === max) break;
    chars++;
    end += ch.length;
  }
  if (end < text.length) text = text.slice(0, end).trimEnd();
  return text === "" ? undefined : text;
}
