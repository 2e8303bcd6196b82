/**
 * The value forms every setting of the proxy, the dispatcher and the CLI is written in. Each parser
 * returns `undefined` for text it does not accept; FORMS says what it accepts, for error messages.
 * The forms include the Go original's (`30s`, `1h30m`, `TRUE`, `10MB`), so its `.env` values work.
 */

export const FORMS = {
  duration: "a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds)",
  boolean: "true or false (also 1/0, t/f, yes/no, in any case)",
  size: "a size such as 1048576, 512KB, 10MB or 1GiB (a bare number is bytes; KB = KiB = 1024 bytes)",
  address: '"host:port", "[ipv6]:port" or ":port" (every interface)',
  wholeNumber: "a whole number",
} as const;

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;

/**
 * Milliseconds from Go's duration form (`250ms`, `30s`, `5m`, `1h30m`, `1.5h`; units ns, us, ms, s,
 * m, h) or a bare number of seconds (`45`, `0.5`). Negative durations are refused.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (t === "") return undefined;
  DURATION_PART.lastIndex = 0;
  let ms = 0;
  let end = 0;
  for (let m = DURATION_PART.exec(t); m; m = DURATION_PART.exec(t)) {
    ms += Number(m[1]) * (DURATION_UNITS_MS[m[2] ?? ""] ?? Number.NaN);
    end = DURATION_PART.lastIndex;
  }
  return end === t.length && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** The shortest Go-style text for a whole number of milliseconds: 600000 → "10m", 1500 → "1s500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

const TRUE = new Set(["true", "t", "1", "yes"]);
const FALSE = new Set(["false", "f", "0", "no"]);

/** true/false, 1/0, t/f, yes/no in any case (Go's strconv.ParseBool, plus yes/no). */
export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/**
 * Bytes from a bare whole number or a number with a unit (`512KB`, `10MB`, `1.5GiB`, any case).
 * KB and KiB both mean 1024 bytes: what an operator writing `MAX_REQUEST_SIZE=10MB` expects.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m || unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  if (unit === 1 && !Number.isInteger(bytes)) return undefined;
  return Math.floor(bytes);
}

/** 1073741824 → "1GiB", 1536 → "1536": exact binary multiples only, so a limit reads back true. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A listen address. `:port` means every IPv4 interface (`0.0.0.0`); port 0 picks a free one. */
export type Address = { host: string; port: number };

export function parseAddress(text: string): Address | undefined {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^\s:[\]/]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) return undefined;
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
}

/** Digits only: no sign, no exponent, no fraction. */
export function parseWholeNumber(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined;
}
