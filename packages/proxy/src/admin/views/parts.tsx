import type { Child } from "hono/jsx";
import type { Flash } from "../context.js";
import { rfc3339, utcText, type TimeFormat } from "../time.js";

/** A timestamp: UTC text from the server, localised by admin.js (the markup contract of the original's suite). */
export function Time(props: { ts: string | Date | null | undefined; format?: TimeFormat; id?: string; empty?: string }) {
  if (!props.ts) return <span class="text-muted">{props.empty ?? "Never"}</span>;
  const ts = rfc3339(props.ts);
  const format = props.format ?? "ymd_hm";
  return (
    <span id={props.id} data-local-time="true" data-ts={ts} data-format={format} title={ts}>
      {utcText(ts, format)}
    </span>
  );
}

export function Icon(props: { name: string; label?: string }) {
  return props.label ? (
    <i class={`bi bi-${props.name}`} role="img" aria-label={props.label}></i>
  ) : (
    <i class={`bi bi-${props.name}`} aria-hidden="true"></i>
  );
}

/** Bootstrap badge; the class attribute starts with `badge bg-…` as the original's suite expects. */
export function Badge(props: { color: "success" | "danger" | "warning" | "secondary" | "info" | "primary" | "light"; children: Child }) {
  return <span class={`badge bg-${props.color}${props.color === "light" ? " text-dark" : ""}`}>{props.children}</span>;
}

/** A link styled as a button with a leading icon: page-header actions, back links, action lists. */
export function LinkButton(props: { href: string; icon: string; tone: string; children: Child }) {
  return (
    <a class={`btn ${props.tone}`} href={props.href}>
      <Icon name={props.icon} /> {props.children}
    </a>
  );
}

/** `1 project`, `2 projects`: the pagination summaries. */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

export function FlashAlert(props: { flash: Flash | undefined }) {
  if (!props.flash) return null;
  return (
    <div class={`alert alert-${props.flash.kind}`} role={props.flash.kind === "danger" ? "alert" : "status"}>
      {props.flash.text}
    </div>
  );
}

export function ErrorAlert(props: { message: string | undefined }) {
  if (!props.message) return null;
  return (
    <div class="alert alert-danger" role="alert">
      <Icon name="exclamation-triangle" /> {props.message}
    </div>
  );
}

/** Copies the text of the element with `target` id; needs JavaScript, the text stays selectable without. */
export function CopyButton(props: { target: string; label: string }) {
  return (
    <button type="button" class="btn btn-sm btn-outline-secondary ms-2" data-copy-target={props.target} aria-label={props.label} title={props.label}>
      <Icon name="clipboard" />
    </button>
  );
}

export interface PageLinks {
  page: number;
  totalPages: number;
  href: (page: number) => string;
}

/** Previous/next pagination with rel links; one `.pagination` per page. */
export function Pagination(props: PageLinks & { summary: string }) {
  if (props.totalPages <= 1) return <p class="text-muted small mb-0">{props.summary}</p>;
  const { page, totalPages } = props;
  return (
    <div class="d-flex justify-content-between align-items-center flex-wrap gap-2">
      <p class="text-muted small mb-0">{props.summary}</p>
      <ul class="pagination mb-0" aria-label="Pages">
        <li class={`page-item${page <= 1 ? " disabled" : ""}`}>
          {page > 1 ? (
            <a class="page-link" rel="prev" href={props.href(page - 1)}>
              <Icon name="chevron-left" /> Previous
            </a>
          ) : (
            <span class="page-link">
              <Icon name="chevron-left" /> Previous
            </span>
          )}
        </li>
        <li class="page-item active" aria-current="page">
          <span class="page-link">
            Page {page} of {totalPages}
          </span>
        </li>
        <li class={`page-item${page >= totalPages ? " disabled" : ""}`}>
          {page < totalPages ? (
            <a class="page-link" rel="next" href={props.href(page + 1)}>
              Next <Icon name="chevron-right" />
            </a>
          ) : (
            <span class="page-link">
              Next <Icon name="chevron-right" />
            </span>
          )}
        </li>
      </ul>
    </div>
  );
}

/** Client-side slicing for the unpaginated project and token lists (`?page=&size=`, default 10, at most 100). */
export function slicePage<T>(items: T[], query: { page?: string | undefined; size?: string | undefined }) {
  const size = Math.min(100, Math.max(1, Number.parseInt(query.size ?? "", 10) || 10));
  const totalPages = Math.max(1, Math.ceil(items.length / size));
  const page = Math.min(totalPages, Math.max(1, Number.parseInt(query.page ?? "", 10) || 1));
  return { items: items.slice((page - 1) * size, page * size), page, size, totalPages };
}

/** Builds `path?query` from the non-empty entries. */
export function hrefWith(path: string, query: Record<string, string | number | undefined>): string {
  const s = new URLSearchParams(
    Object.entries(query)
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  return s ? `${path}?${s}` : path;
}
