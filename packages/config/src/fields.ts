import { z } from "zod";
import { FORMS, formatDuration, formatSize, parseAddress, parseBoolean, parseDuration, parseSize, parseWholeNumber, type Address } from "./values.js";

/**
 * zod fields for one environment variable each, built on the value parsers. Every field reads a
 * trimmed string or `undefined` (readEnv drops blank values: a blank setting is an unset one) and
 * its messages say what is accepted; the variable's name is added by readEnv.
 */

type Range = { min?: number; max?: number };

function describeRange({ min, max }: Range, format: (n: number) => string): string {
  if (min !== undefined && max !== undefined) return `from ${format(min)} to ${format(max)}`;
  return min !== undefined ? `of at least ${format(min)}` : `of at most ${format(max ?? 0)}`;
}

const inRange = (n: number, { min, max }: Range) => (min === undefined || n >= min) && (max === undefined || n <= max);

/** A field parsed by `parse`, `fallback` when unset, refused outside `range`. */
function parsed<T extends number>(parse: (text: string) => T | undefined, forms: string, what: string, format: (n: number) => string, hint: (v: string) => string = () => "") {
  return (fallback: T, range: Range = {}) =>
    z
      .string()
      .optional()
      .transform((v, ctx): T => {
        if (v === undefined) return fallback;
        const n = parse(v);
        if (n === undefined) ctx.addIssue({ code: "custom", message: `expected ${forms}, got "${v}"` });
        else if (!inRange(n, range)) ctx.addIssue({ code: "custom", message: `expected ${what} ${describeRange(range, format)}, got "${v}"${hint(v)}` });
        else return n;
        return z.NEVER;
      });
}

/** Milliseconds; a bare number is seconds (said again when a bare number falls out of range). */
export const duration = parsed(parseDuration, FORMS.duration, "a duration", formatDuration, (v) => (/^\d+(\.\d+)?$/.test(v) ? " (a bare number is seconds)" : ""));

/** Bytes. */
export const size = parsed(parseSize, FORMS.size, "a size", formatSize);

/** A whole number; messages keep the plain form ("from 1 to 1000"). */
export const wholeNumber = (fallback: number, range: Range = {}) =>
  z
    .string()
    .optional()
    .transform((v, ctx): number => {
      if (v === undefined) return fallback;
      const n = parseWholeNumber(v);
      if (n !== undefined && inRange(n, range)) return n;
      const bounds = range.min === undefined && range.max === undefined ? "" : ` ${describeRange(range, String)}`;
      ctx.addIssue({ code: "custom", message: `expected ${FORMS.wholeNumber}${bounds}, got "${v}"` });
      return z.NEVER;
    });

export const boolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx): boolean => {
      if (v === undefined) return fallback;
      const b = parseBoolean(v);
      if (b !== undefined) return b;
      ctx.addIssue({ code: "custom", message: `expected ${FORMS.boolean}, got "${v}"` });
      return z.NEVER;
    });

/** `host:port` or `:port`; `undefined` when unset and no fallback (the caller picks by mode). */
export function address(): z.ZodType<Address | undefined, string | undefined>;
export function address(fallback: Address): z.ZodType<Address, string | undefined>;
export function address(fallback?: Address): z.ZodType<Address | undefined, string | undefined> {
  return z
    .string()
    .optional()
    .transform((v, ctx): Address | undefined => {
      if (v === undefined) return fallback;
      const a = parseAddress(v);
      if (a !== undefined) return a;
      ctx.addIssue({ code: "custom", message: `expected ${FORMS.address}, got "${v}"` });
      return z.NEVER;
    });
}

/** `host:port` of a server to connect to (a host is required), as text. */
export const hostPort = () =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):\d{1,5}$/.test(v), { message: 'expected "host:port"' });

/** One of `options`, in any case (`INFO` is `info`). */
export const oneOf = <const T extends readonly [string, ...string[]]>(options: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((v, ctx): T[number] => {
      if (v === undefined) return fallback;
      const match = options.find((o) => o.toLowerCase() === v.toLowerCase());
      if (match !== undefined) return match;
      ctx.addIssue({ code: "custom", message: `expected one of ${options.map((o) => `"${o}"`).join(", ")}, got "${v}"` });
      return z.NEVER;
    });

/** A URL whose scheme is one of `schemes` (without the colon). Never echoed: URLs carry passwords. */
export function url(schemes: readonly string[]): z.ZodType<string | undefined, string | undefined>;
export function url(schemes: readonly string[], fallback: string): z.ZodType<string, string | undefined>;
export function url(schemes: readonly string[], fallback?: string): z.ZodType<string | undefined, string | undefined> {
  return z
    .string()
    .optional()
    .transform((v, ctx): string | undefined => {
      const text = v ?? fallback;
      if (text === undefined) return undefined;
      let scheme: string | undefined;
      try {
        scheme = new URL(text).protocol.slice(0, -1);
      } catch {
        scheme = undefined;
      }
      if (scheme !== undefined && schemes.includes(scheme)) return text;
      const what = schemes.join() === "http,https" ? "an http(s)" : `a ${schemes.map((s) => `${s}://`).join(" or ")}`;
      ctx.addIssue({ code: "custom", message: `expected ${what} URL` });
      return z.NEVER;
    });
}

export function httpUrl(): z.ZodType<string | undefined, string | undefined>;
export function httpUrl(fallback: string): z.ZodType<string, string | undefined>;
export function httpUrl(fallback?: string): z.ZodType<string | undefined, string | undefined> {
  return fallback === undefined ? url(["http", "https"]) : url(["http", "https"], fallback);
}
/** Free text (names, paths, secrets), `min` characters when set; `undefined` when unset. Never echoed. */
export const text = (min = 1) =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || v.length >= min, { message: `expected at least ${min} characters` });

/** Free text with a default. */
export const textOr = (fallback: string) => z.string().default(fallback);

/** pino's levels, which both services log with. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevel = () => oneOf(LOG_LEVELS, "info");
