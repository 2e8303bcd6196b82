/** How a timestamp reads; `admin.js` re-renders the same format in the browser's time zone. */
export type TimeFormat = "ymd_hm" | "ymd_hms" | "ymd_hms_tz" | "long" | "date_only";

/** RFC 3339 in UTC without fractional seconds, the value of `data-ts` and `title`. */
export function rfc3339(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const pad = (n: number) => String(n).padStart(2, "0");

const longParts = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  weekday: "long",
  year: "numeric",
  month: "long",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
});
const dateOnly = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "long", day: "numeric" });

/** The server-side (UTC) text of a timestamp, shown as is when JavaScript is off. */
export function utcText(iso: string | Date, format: TimeFormat): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  switch (format) {
    case "ymd_hm":
      return `${ymd} ${hm} UTC`;
    case "ymd_hms":
    case "ymd_hms_tz":
      return `${ymd} ${hm}:${pad(d.getUTCSeconds())} UTC`;
    case "date_only":
      return dateOnly.format(d);
    case "long": {
      const p = Object.fromEntries(longParts.formatToParts(d).map((x) => [x.type, x.value]));
      return `${p.weekday}, ${p.month} ${p.day}, ${p.year} at ${p.hour}:${p.minute} ${p.dayPeriod} UTC`;
    }
  }
}
