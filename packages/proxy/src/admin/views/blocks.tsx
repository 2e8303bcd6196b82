import type { Child } from "hono/jsx";
import { Icon, Pagination, type PageLinks } from "./parts.js";

/** A card with an optional `h2.h5` header; `danger` draws the red border of a danger zone. */
export function Card(props: { title?: string; danger?: boolean; bodyClass?: string; children: Child }) {
  return (
    <div class={props.danger ? "card border-danger" : "card"}>
      {props.title ? (
        <div class={props.danger ? "card-header text-danger" : "card-header"}>
          <h2 class="h5 card-title mb-0">{props.title}</h2>
        </div>
      ) : null}
      <div class={props.bodyClass ? `card-body ${props.bodyClass}` : "card-body"}>{props.children}</div>
    </div>
  );
}

/** The side card of a detail page: one full-width button or form per line. */
export function ActionList(props: { title?: string; danger?: boolean; children: Child }) {
  return (
    <Card title={props.title ?? "Actions"} danger={props.danger ?? false} bodyClass="d-grid gap-2">
      {props.children}
    </Card>
  );
}

/** The page body: a wide main column and, on detail pages, a narrow side column. */
export function Columns(props: { aside?: Child; children: Child }) {
  return (
    <div class={props.aside ? "row g-4" : "row"}>
      <div class="col-lg-8">{props.children}</div>
      {props.aside ? <div class="col-lg-4">{props.aside}</div> : null}
    </div>
  );
}

export type Detail = [label: string, value: Child];

/** Label/value pairs as a Bootstrap grid `dl`; `split` is the label's share of 12 columns. */
export function Details(props: { rows: Detail[]; split?: 3 | 4 | 6 }) {
  const split = props.split ?? 3;
  const [dt, dd] = split === 6 ? ["col-6", "col-6"] : [`col-sm-${split}`, `col-sm-${12 - split}`];
  return (
    <dl class="row mb-0">
      {props.rows.map(([label, value]) => (
        <>
          <dt class={dt}>{label}</dt>
          <dd class={dd}>{value}</dd>
        </>
      ))}
    </dl>
  );
}

/** What an empty list says instead of a table; with `icon` in the audit list's look (the original's suite checks it). */
export function EmptyState(props: { title: string; text: string; icon?: string }) {
  if (!props.icon) {
    return (
      <div class="text-center py-5 text-muted">
        <p class="h4">{props.title}</p>
        <p>{props.text}</p>
      </div>
    );
  }
  return (
    <div class="text-center py-5">
      <i class={`bi bi-${props.icon} display-4 text-muted`} aria-hidden="true"></i>
      <p class="h4 mt-3">{props.title}</p>
      <p class="text-muted">{props.text}</p>
    </div>
  );
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  class?: string;
}

/** A list page's table in a card, columns as data, with the pagination in the footer; `empty` when there are no rows. */
export function DataTable<T>(props: { columns: Column<T>[]; rows: T[]; pages: PageLinks & { summary: string }; empty: Child }) {
  if (props.rows.length === 0) return <>{props.empty}</>;
  return (
    <div class="card">
      <div class="table-responsive">
        <table class="table table-hover align-middle mb-0">
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col">{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                {props.columns.map((c) => (
                  <td class={c.class}>{c.cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card-footer">
        <Pagination {...props.pages} />
      </div>
    </div>
  );
}

/** A table row's icon buttons to a record's page and its edit page. */
export function ViewEditLinks(props: { href: string; label: string; titles?: boolean }) {
  return (
    <>
      <a class="btn btn-sm btn-outline-primary" href={props.href} aria-label={`View ${props.label}`} title={props.titles ? "View" : undefined}>
        <Icon name="eye" />
      </a>{" "}
      <a class="btn btn-sm btn-outline-secondary" href={`${props.href}/edit`} aria-label={`Edit ${props.label}`} title={props.titles ? "Edit" : undefined}>
        <Icon name="pencil" />
      </a>
    </>
  );
}
