import type { AuditPage, AuditView } from "../../audit/verbs.js";
import { Layout, PageHeader, type PageFrame } from "./layout.js";
import { Badge, Icon, Pagination, Time, hrefWith } from "./parts.js";

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

export function AuditListPage(props: { frame: PageFrame; result: AuditPage; filters: AuditFilters }) {
  const { events, pagination } = props.result;
  const filterNote = (["project_id", "action", "outcome", "actor"] as const).filter((k) => props.filters[k]).map((k) => `${k} = ${props.filters[k]}`);
  return (
    <Layout frame={props.frame} title="Audit Events" section="audit">
      <div class="d-flex justify-content-between align-items-center flex-wrap gap-2 mb-4">
        <h1 class="h2 mb-0">
          <i class="bi bi-shield-check" aria-hidden="true"></i> Audit Events
        </h1>
      </div>
      <SearchForm filters={props.filters} />
      {filterNote.length > 0 ? <p class="small text-muted">Filtered by {filterNote.join(", ")}</p> : null}
      {events.length === 0 ? (
        <div class="text-center py-5">
          <i class="bi bi-shield-x display-4 text-muted" aria-hidden="true"></i>
          <p class="h4 mt-3">No Audit Events Found</p>
          <p class="text-muted">Nothing matches; try a different search.</p>
        </div>
      ) : (
        <div class="card">
          <div class="table-responsive">
            <table class="table table-hover align-middle mb-0">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">IP Address</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr>
                    <td class="text-nowrap">
                      <Time ts={e.timestamp} format="ymd_hms" />
                    </td>
                    <td>
                      <Badge color="secondary">{e.action}</Badge>
                    </td>
                    <td>{e.actor}</td>
                    <td>
                      <OutcomeBadge outcome={e.outcome} />
                    </td>
                    <td>{e.client_ip ? <code>{e.client_ip}</code> : <span class="text-muted">—</span>}</td>
                    <td>
                      <a class="btn btn-sm btn-outline-primary" href={`/audit/${e.id}`} aria-label={`Details of ${e.action} at ${e.timestamp}`}>
                        <Icon name="eye" /> Details
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="card-footer">
            <Pagination
              page={pagination.page}
              totalPages={pagination.total_pages}
              href={(page) => hrefWith("/audit", { ...props.filters, page: page === 1 ? undefined : page })}
              summary={`${pagination.total_count} event${pagination.total_count === 1 ? "" : "s"}`}
            />
          </div>
        </div>
      )}
    </Layout>
  );
}

function Row(props: { label: string; children: unknown }) {
  return (
    <tr>
      <td class="text-muted text-nowrap w-25">{props.label}</td>
      <td>{props.children ?? <span class="text-muted">—</span>}</td>
    </tr>
  );
}

const code = (v: string | undefined) => (v ? <code>{v}</code> : undefined);

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
    <Layout frame={props.frame} title="Audit Event Details" section="audit">
      <PageHeader icon="shield-check" title="Audit Event Details">
        <a class="btn btn-outline-secondary" href="/audit">
          <Icon name="arrow-left" /> Back to List
        </a>
      </PageHeader>
      <div class="card">
        <div class="card-header">
          <h5 class="card-title mb-0">Event #{e.id}</h5>
        </div>
        <div class="card-body">
          <div class="row">
            <div class="col-md-6">
              <h6 class="text-muted">Basic Information</h6>
              <table class="table table-sm">
                <tbody>
                  <Row label="Timestamp:">
                    <Time ts={e.timestamp} format="ymd_hms_tz" />
                  </Row>
                  <Row label="Action:">
                    <Badge color="secondary">{e.action}</Badge>
                  </Row>
                  <Row label="Actor:">{e.actor}</Row>
                  <Row label="Outcome:">
                    <OutcomeBadge outcome={e.outcome} />
                  </Row>
                </tbody>
              </table>
            </div>
            <div class="col-md-6">
              <h6 class="text-muted">Network Information</h6>
              <table class="table table-sm">
                <tbody>
                  <Row label="IP Address:">
                    <code>{e.client_ip ?? "unknown"}</code>
                  </Row>
                  <Row label="User Agent:">{e.user_agent ? <small>{e.user_agent}</small> : undefined}</Row>
                  <Row label="Method:">{code(e.method)}</Row>
                  <Row label="Endpoint:">{code(e.path)}</Row>
                </tbody>
              </table>
            </div>
          </div>
          <div class="row">
            <div class="col-12">
              <h6 class="text-muted">Identifiers</h6>
              <table class="table table-sm">
                <tbody>
                  <Row label="Project ID">{e.project_id ? <a href={`/projects/${e.project_id}`}><code>{e.project_id}</code></a> : undefined}</Row>
                  <Row label="Request ID">{code(e.request_id)}</Row>
                  <Row label="Correlation ID">{code(e.correlation_id)}</Row>
                  <Row label="Token ID">{e.token_id ? <a href={`/tokens/${e.token_id}`}><code>{e.token_id}</code></a> : undefined}</Row>
                </tbody>
              </table>
            </div>
          </div>
          {e.reason ? (
            <div class="row">
              <div class="col-12">
                <h6 class="text-muted">Error Information</h6>
                <div class="alert alert-warning mb-3">{e.reason}</div>
              </div>
            </div>
          ) : null}
          {details ? (
            <div class="row">
              <div class="col-12">
                <h6 class="text-muted">Additional Details</h6>
                <pre class="bg-body-tertiary p-3 rounded mb-0">
                  <code>{details}</code>
                </pre>
              </div>
            </div>
          ) : null}
        </div>
      </div>
    </Layout>
  );
}
