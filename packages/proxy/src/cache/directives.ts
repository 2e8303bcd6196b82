/** Request headers as node:http gives them: lowercase names, repeated ones as arrays. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Longest lifetime any entry gets, whatever a client or upstream asks for. */
export const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** One header's value, repeated fields joined as HTTP joins them, trimmed; "" when absent. */
export function headerValue(h: RequestHeaders, name: string): string {
  const v = h[name];
  return (Array.isArray(v) ? v.join(", ") : (v ?? "")).trim();
}

/** `Cache-Control` directives by lowercase name; a directive without an argument maps to "". */
export function directives(value: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const arg = eq === -1 ? "" : part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (name && !out.has(name)) out.set(name, arg);
  }
  return out;
}

/** Whole seconds within [0, MAX_TTL_SECONDS]; NaN becomes 0. */
export function clampTtl(ttl: number): number {
  return Number.isFinite(ttl) ? Math.min(Math.max(0, Math.floor(ttl)), MAX_TTL_SECONDS) : ttl > 0 ? MAX_TTL_SECONDS : 0;
}

/** A delta-seconds argument, capped at `MAX_TTL_SECONDS`; undefined when absent or malformed. */
export function seconds(arg: string | undefined): number | undefined {
  return arg !== undefined && /^\d+$/.test(arg) ? clampTtl(Number(arg)) : undefined;
}

/** Whether a response may be served to requests other than the one that fetched it. */
export function isShareable(cc: Map<string, string>): boolean {
  return cc.has("public") || (seconds(cc.get("s-maxage")) ?? 0) > 0;
}

/** The client's opt-in lifetime: `public` with `s-maxage` or `max-age` above zero. */
export function optInTtl(cc: Map<string, string>): number | undefined {
  if (!cc.has("public")) return undefined;
  const smax = seconds(cc.get("s-maxage"));
  if (smax) return smax;
  const max = seconds(cc.get("max-age"));
  return max ? max : undefined;
}
