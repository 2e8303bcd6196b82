import type { Child } from "hono/jsx";
import type { AuditPage, AuditView } from "../../audit/verbs.js";
import { Page, type PageFrame } from "./layout.js";
import { DataTable, EmptyState, type Column } from "./blocks.js";
import { Badge, Icon, Time, hrefWith, plural } from "./parts.js";

export const AUDIT_FILTERS = ["search", "project_id", "action", "outcome", "actor"] as const;
export type AuditFilters = Partial<Record<(typeof AUDIT_FILTERS)[number], string>>;

export function OutcomeBadge(props: { outcome: string }) {
  const color = props.outcome === "success" ? "success" : props.outcome === "denied" ? "warning" : "danger";
  return <Badge color={color}>{props.outcome}</Badge>;
}

function SearchForm(props: { filters: AuditFilters }) {
  const { filters } = props;
  const active = Object.values(filters).some((v) => v);
  return (
    <form method="get" action="/audit" class="row g-2 mb-3" role="search">
      {(["project_id", "action", "outcome", "actor"] as const).map((k) => (filters[k] ? <input type="hidden" name={k} value={filters[k]} /> : null))}
      <div class="col-sm-8 col-md-6">
        <label for="search" class="visually-hidden">
          Search audit events
        </label>
        <input type="search" id="search" name="search" class="form-control" placeholder="Search events..." value={filters.search ?? ""} />
      </div>
      <div class="col-auto d-flex gap-2">
        <button type="submit" class="btn btn-primary" aria-label="Search">
          <i class="bi bi-search" aria-hidden="true"></i> Search
        </button>
        {active ? (
          <a class="btn btn-outline-secondary" href="/audit">
            <i class="bi bi-x-circle" aria-hidden="true"></i> Clear
          </a>
        ) : null}
      </div>
    </form>
  );
}

const COLUMNS: Column<AuditView>[] = [
  { label: "Time", class: "text-nowrap", cell: (e) => <Time ts={e.timestamp} format="ymd_hms" /> },
  { label: "Action", cell: (e) => <Badge color="secondary">{e.action}</Badge> },
  { label: "Actor", cell: (e) => e.actor },
  { label: "Outcome", cell: (e) => <OutcomeBadge outcome={e.outcome} /> },
  { label: "IP Address", cell: (e) => (e.client_ip ? <code>{e.client_ip}</code> : <span class="text-muted">—</span>) },
  {
    label: "Actions",
    cell: (e) => (
      <a class="btn btn-sm btn-outline-primary" href={`/audit/${e.id}`} aria-label={`Details of ${e.action} at ${e.timestamp}`}>
        <Icon name="eye" /> Details
      </a>
    ),
  },
];

export function AuditListPage(props: { frame: PageFrame; result: AuditPage; filters: AuditFilters }) {
  const { events, pagination } = props.result;
  const filterNote = (["project_id", "action", "outcome", "actor"] as const).filter((k) => props.filters[k]).map((k) => `${k} = ${props.filters[k]}`);
  return (
    <Page frame={props.frame} title="Audit Events" section="audit" icon="shield-check">
      <SearchForm filters={props.filters} />
      {filterNote.length > 0 ? <p class="small text-muted">Filtered by {filterNote.join(", ")}</p> : null}
      <DataTable
        columns={COLUMNS}
        rows={events}
        empty={<EmptyState icon="shield-x" title="No Audit Events Found" text="Nothing matches; try a different search." />}
        pages={{ page: pagination.page, totalPages: pagination.total_pages, summary: plural(pagination.total_count, "event"), href: (page) => hrefWith("/audit", { ...props.filters, page: page === 1 ? undefined : page }) }}
      />
    </Page>
  );
}

/** A titled part of the event page; `half` sits beside its sibling from md up. */
function Section(props: { title: string; half?: boolean; children: Child }) {
  return (
    <div class={props.half ? "col-md-6" : "col-12"}>
      <h6 class="text-muted">{props.title}</h6>
      {props.children}
    </div>
  );
}

/** Label/value rows of the event page; an absent value shows a dash. */
function Rows(props: { rows: [label: string, value: Child | undefined][] }) {
  return (
    <table class="table table-sm">
      <tbody>
        {props.rows.map(([label, value]) => (
          <tr>
            <td class="text-muted text-nowrap w-25">{label}</td>
            <td>{value ?? <span class="text-muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const code = (v: string | undefined) => (v ? <code>{v}</code> : undefined);
const link = (href: string, v: string | undefined) => (v ? <a href={`${href}/${v}`}><code>{v}</code></a> : undefined);

function prettyMetadata(metadata: string | undefined): string | undefined {
  if (!metadata) return undefined;
  try {
    return JSON.stringify(JSON.parse(metadata), null, 2);
  } catch {
    return metadata;
  }
}

export function AuditEventPage(props: { frame: PageFrame; event: AuditView }) {
  const e = props.event;
  const details = prettyMetadata(e.metadata);
  return (
    <Page frame={props.frame} title="Audit Event Details" section="audit" icon="shield-check" back={{ href: "/audit", label: "Back to List" }}>
      <div class="card">
        <div class="card-header">
          <h5 class="card-title mb-0">Event #{e.id}</h5>
        </div>
        <div class="card-body">
          <div class="row">
            <Section title="Basic Information" half>
              <Rows
                rows={[
                  ["Timestamp:", <Time ts={e.timestamp} format="ymd_hms_tz" />],
                  ["Action:", <Badge color="secondary">{e.action}</Badge>],
                  ["Actor:", e.actor],
                  ["Outcome:", <OutcomeBadge outcome={e.outcome} />],
                ]}
              />
            </Section>
            <Section title="Network Information" half>
              <Rows
                rows={[
                  ["IP Address:", <code>{e.client_ip ?? "unknown"}</code>],
                  ["User Agent:", e.user_agent ? <small>{e.user_agent}</small> : undefined],
                  ["Method:", code(e.method)],
                  ["Endpoint:", code(e.path)],
                ]}
              />
            </Section>
          </div>
          <div class="row">
            <Section title="Identifiers">
              <Rows
                rows={[
                  ["Project ID", link("/projects", e.project_id)],
                  ["Request ID", code(e.request_id)],
                  ["Correlation ID", code(e.correlation_id)],
                  ["Token ID", link("/tokens", e.token_id)],
                ]}
              />
            </Section>
          </div>
          {e.reason ? (
            <div class="row">
              <Section title="Error Information">
                <div class="alert alert-warning mb-3">{e.reason}</div>
              </Section>
            </div>
          ) : null}
          {details ? (
            <div class="row">
              <Section title="Additional Details">
                <pre class="bg-body-tertiary p-3 rounded mb-0">
                  <code>{details}</code>
                </pre>
              </Section>
            </div>
          ) : null}
        </div>
      </div>
    </Page>
  );
}
