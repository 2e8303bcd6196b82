/**
 * A few fields of a JSON object's top level, without parsing the rest: the proxy reads `model`
 * from every request body and `usage` and `model` from every answer, where a full `JSON.parse`
 * builds every message, choice and string only to drop them. The scan jumps from one quote,
 * brace or bracket to the next (a native regular expression) and parses only the values asked.
 * Like `JSON.parse`, a key given twice counts with its last value.
 */

const STRUCTURE = /["{}[\]]/g;
const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i] as string)) i++;
  return i;
}

/** Index of the quote that closes the string opening at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let q = open;
  for (;;) {
    q = text.indexOf('"', q + 1);
    if (q === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
}

/** Index just past the value starting at `start` (an object, array, string or scalar), or -1. */
function valueEnd(text: string, start: number): number {
  const c = text[start];
  if (c === '"') {
    const end = stringEnd(text, start);
    return end === -1 ? -1 : end + 1;
  }
  if (c === "{" || c === "[") {
    let depth = 0;
    let pos = start;
    for (;;) {
      STRUCTURE.lastIndex = pos;
      const m = STRUCTURE.exec(text);
      if (!m) return -1;
      const ch = text[m.index];
      if (ch === '"') {
        const end = stringEnd(text, m.index);
        if (end === -1) return -1;
        pos = end + 1;
        continue;
      }
      depth += ch === "{" || ch === "[" ? 1 : -1;
      pos = m.index + 1;
      if (depth === 0) return pos;
    }
  }
  let i = start;
  while (i < text.length && !WHITESPACE.has(text[i] as string) && text[i] !== "," && text[i] !== "}" && text[i] !== "]") i++;
  return i;
}

/**
 * The values of `keys` in the top-level object of `text`, parsed; undefined when `text` is not
 * an object. A key that is missing, or whose value does not parse, is left out.
 */
export function pickTopLevel(text: string, keys: readonly string[]): Record<string, unknown> | undefined {
  const open = skipWhitespace(text, 0);
  if (text[open] !== "{") return undefined;
  const found: Record<string, [number, number]> = {};
  let pos = open + 1;
  for (;;) {
    STRUCTURE.lastIndex = pos;
    const m = STRUCTURE.exec(text);
    if (!m) return undefined;
    const ch = text[m.index];
    if (ch === "}") break;
    if (ch === "]") return undefined;
    if (ch !== '"') {
      // An object or array where a key belongs: skip it whole.
      const end = valueEnd(text, m.index);
      if (end === -1) return undefined;
      pos = end;
      continue;
    }
    const end = stringEnd(text, m.index);
    if (end === -1) return undefined;
    const colon = skipWhitespace(text, end + 1);
    if (text[colon] !== ":") {
      pos = end + 1; // a string value
      continue;
    }
    const start = skipWhitespace(text, colon + 1);
    const stop = valueEnd(text, start);
    // No value (`"key":}`) or none that ends: not an object JSON.parse would read.
    if (stop <= start) return undefined;
    const key = text.slice(m.index + 1, end);
    if (keys.includes(key)) found[key] = [start, stop];
    pos = stop;
  }
  const out: Record<string, unknown> = {};
  for (const key in found) {
    const [start, stop] = found[key] as [number, number];
    try {
      out[key] = JSON.parse(text.slice(start, stop));
    } catch {
      // not a JSON value: left out
    }
  }
  return out;
}
