import type { ProjectView } from "../../projects/verbs.js";
import type { CreatedToken, TokenView } from "../../tokens/verbs.js";
import { utcText } from "../time.js";
import { Layout, PageHeader, type PageFrame } from "./layout.js";
import { CopyButton, CsrfField, ErrorAlert, Icon, Time } from "./parts.js";
import { RevokeTokenForm, TokenStatus } from "./token-parts.js";
import { UsageSnippets } from "./snippets.js";

const DURATIONS: [number, string][] = [
  [5, "5 minutes"],
  [10, "10 minutes"],
  [15, "15 minutes"],
  [30, "30 minutes"],
  [60, "1 hour"],
  [120, "2 hours"],
  [180, "3 hours"],
  [360, "6 hours"],
  [720, "12 hours"],
  [1440, "1 day"],
  [2880, "2 days"],
  [4320, "3 days"],
  [10080, "7 days"],
  [43200, "30 days"],
  [525600, "365 days"],
];

export interface NewTokenValues {
  project_id: string;
  duration_minutes: number;
  max_requests: string;
}

export function NewTokenPage(props: { frame: PageFrame; projects: ProjectView[]; values: NewTokenValues; error?: string | undefined }) {
  const { values } = props;
  return (
    <Layout frame={props.frame} title="Generate Token" section="tokens">
      <PageHeader icon="key" title="Generate Token">
        <a class="btn btn-outline-secondary" href="/tokens">
          <Icon name="arrow-left" /> Back to Tokens
        </a>
      </PageHeader>
      <div class="row">
        <div class="col-lg-8">
          <ErrorAlert message={props.error} />
          <div class="card">
            <div class="card-body">
              <form method="post" action="/tokens">
                <CsrfField token={props.frame.csrf} />
                <div class="mb-3">
                  <label for="project_id" class="form-label">
                    Project
                  </label>
                  <select id="project_id" name="project_id" class="form-select" required>
                    <option value="">Choose a project…</option>
                    {props.projects.map((p) => (
                      <option value={p.id} selected={p.id === values.project_id} disabled={!p.is_active}>
                        {p.is_active ? p.name : `${p.name} (inactive)`}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="mb-3">
                  <label for="duration_minutes" class="form-label">
                    Valid for
                  </label>
                  <select id="duration_minutes" name="duration_minutes" class="form-select">
                    {DURATIONS.map(([minutes, label]) => (
                      <option value={String(minutes)} selected={minutes === values.duration_minutes}>
                        {label}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="mb-3">
                  <label for="max_requests" class="form-label">
                    Maximum requests
                  </label>
                  <input type="number" class="form-control" id="max_requests" name="max_requests" min={1} step={1} value={values.max_requests} aria-describedby="max_requests_help" />
                  <div id="max_requests_help" class="form-text">
                    Leave blank for unlimited.
                  </div>
                </div>
                <button type="submit" class="btn btn-success">
                  <Icon name="plus-circle" /> Generate Token
                </button>
              </form>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}

/** The only time the secret is shown; the response is marked no-store by the route. */
export function TokenCreatedPage(props: { frame: PageFrame; created: CreatedToken; project: ProjectView | undefined; apiBaseUrl: string }) {
  const t = props.created;
  return (
    <Layout frame={props.frame} title="Token Created" section="tokens">
      <PageHeader icon="check-circle" title="Token Created">
        <a class="btn btn-outline-secondary" href={`/tokens/${t.id}`}>
          <Icon name="eye" /> View Token Details
        </a>
      </PageHeader>
      <div class="alert alert-warning" role="alert">
        <Icon name="exclamation-triangle" /> Copy this token now. It will not be shown again.
      </div>
      <div class="card mb-4">
        <div class="card-body">
          <dl class="row mb-0">
            <dt class="col-sm-3">Token</dt>
            <dd class="col-sm-9">
              <code id="token-value" class="fs-5">
                {t.token}
              </code>
              <CopyButton target="token-value" label="Copy token" />
            </dd>
            <dt class="col-sm-3">Token ID</dt>
            <dd class="col-sm-9">
              <code>{t.id}</code>
            </dd>
            <dt class="col-sm-3">Project</dt>
            <dd class="col-sm-9">{props.project ? <a href={`/projects/${props.project.id}`}>{props.project.name}</a> : "—"}</dd>
            <dt class="col-sm-3">Expires</dt>
            <dd class="col-sm-9">
              <Time ts={t.expires_at} format="long" />
            </dd>
            <dt class="col-sm-3">Request limit</dt>
            <dd class="col-sm-9">{t.max_requests ? `${t.max_requests} requests` : "Unlimited"}</dd>
          </dl>
        </div>
      </div>
      <UsageSnippets token={t.token} apiBaseUrl={props.apiBaseUrl} />
    </Layout>
  );
}

export function EditTokenPage(props: { frame: PageFrame; token: TokenView; project: ProjectView | undefined; error?: string | undefined; maxRequests?: string }) {
  const t = props.token;
  const maxRequests = props.maxRequests ?? (t.max_requests === null ? "" : String(t.max_requests));
  return (
    <Layout frame={props.frame} title="Edit Token" section="tokens">
      <PageHeader icon="pencil-square" title="Edit Token">
        <a class="btn btn-outline-secondary" href={`/tokens/${t.id}`}>
          <Icon name="arrow-left" /> Back to Token
        </a>
      </PageHeader>
      <div class="row g-4">
        <div class="col-lg-8">
          <ErrorAlert message={props.error} />
          <div class="card">
            <div class="card-body">
              <form method="post" action={`/tokens/${t.id}`}>
                <CsrfField token={props.frame.csrf} />
                <input type="hidden" name="_method" value="PUT" />
                <div class="mb-3">
                  <label for="token_id" class="form-label">
                    Token ID
                  </label>
                  <input type="text" class="form-control" id="token_id" value={t.id} readonly />
                </div>
                <div class="mb-3">
                  <label for="project_name" class="form-label">
                    Project
                  </label>
                  <input type="text" class="form-control" id="project_name" value={props.project?.name ?? t.project_id} readonly />
                </div>
                <div class="mb-3">
                  <label for="expires_at" class="form-label">
                    Expires (UTC)
                  </label>
                  <input type="text" class="form-control" id="expires_at" value={t.expires_at ? utcText(t.expires_at, "ymd_hms") : "Never"} readonly />
                </div>
                <div class="mb-3">
                  <label for="request_count" class="form-label">
                    Requests made
                  </label>
                  <input type="text" class="form-control" id="request_count" value={String(t.request_count)} readonly />
                </div>
                <div class="form-check form-switch mb-3">
                  <input class="form-check-input" type="checkbox" role="switch" id="is_active" name="is_active" value="1" checked={t.is_active} />
                  <label class="form-check-label" for="is_active">
                    Active
                  </label>
                </div>
                <div class="mb-3">
                  <label for="max_requests" class="form-label">
                    Maximum requests
                  </label>
                  <input type="number" class="form-control" id="max_requests" name="max_requests" min={0} step={1} value={maxRequests} aria-describedby="edit_max_help" />
                  <div id="edit_max_help" class="form-text">
                    Leave blank (or 0) for unlimited.
                  </div>
                </div>
                <button type="submit" class="btn btn-primary">
                  <Icon name="check-lg" /> Update Token
                </button>
              </form>
            </div>
          </div>
        </div>
        <div class="col-lg-4">
          <div class="card border-danger">
            <div class="card-header text-danger">
              <h2 class="h5 card-title mb-0">Danger Zone</h2>
            </div>
            <div class="card-body d-grid gap-2">
              <p class="mb-1">
                Status: <TokenStatus token={t} />
              </p>
              {t.is_active ? <RevokeTokenForm token={t} csrf={props.frame.csrf} returnTo="edit" /> : <p class="text-muted mb-0">This token is inactive.</p>}
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}
