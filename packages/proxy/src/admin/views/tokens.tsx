import type { ProjectView } from "../../projects/verbs.js";
import type { TokenView } from "../../tokens/verbs.js";
import { Layout, PageHeader, type PageFrame } from "./layout.js";
import { CopyButton, Icon, Pagination, Time, hrefWith } from "./parts.js";
import { ReactivateTokenForm, RevokeTokenForm, TokenStatus, limitText } from "./token-parts.js";

export interface TokensPageProps {
  frame: PageFrame;
  tokens: TokenView[];
  projects: Map<string, ProjectView>;
  projectId: string | undefined;
  page: number;
  size: number;
  totalPages: number;
  total: number;
}

function ProjectFilter(props: { projects: Map<string, ProjectView>; projectId: string | undefined }) {
  return (
    <form method="get" action="/tokens" class="row g-2 align-items-end mb-3">
      <div class="col-auto">
        <label for="filter_project_id" class="form-label mb-0 small">
          Filter by project
        </label>
        <select id="filter_project_id" name="project_id" class="form-select form-select-sm">
          <option value="">All projects</option>
          {[...props.projects.values()].map((p) => (
            <option value={p.id} selected={p.id === props.projectId}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div class="col-auto">
        <button type="submit" class="btn btn-sm btn-outline-secondary">
          <Icon name="funnel" /> Filter
        </button>
      </div>
    </form>
  );
}

export function TokensPage(props: TokensPageProps) {
  const { frame } = props;
  return (
    <Layout frame={frame} title="Tokens" section="tokens">
      <PageHeader icon="key" title="Tokens">
        <a class="btn btn-primary" href={hrefWith("/tokens/new", { project_id: props.projectId })}>
          <Icon name="plus-circle" /> Generate Token
        </a>
      </PageHeader>
      <ProjectFilter projects={props.projects} projectId={props.projectId} />
      {props.total === 0 ? (
        <div class="text-center py-5 text-muted">
          <p class="h4">No tokens</p>
          <p>Generate a token for a project to hand it to a client.</p>
        </div>
      ) : (
        <div class="card">
          <div class="table-responsive">
            <table class="table table-hover align-middle mb-0">
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Project</th>
                  <th scope="col">Status</th>
                  <th scope="col">Requests &amp; Cache</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last Used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {props.tokens.map((t) => (
                  <tr>
                    <td>
                      <a href={`/tokens/${t.id}`}>
                        <code>{t.token}</code>
                      </a>
                    </td>
                    <td>
                      <a href={`/projects/${t.project_id}`}>{props.projects.get(t.project_id)?.name ?? t.project_id}</a>
                    </td>
                    <td>
                      <TokenStatus token={t} />
                    </td>
                    <td class="text-nowrap">
                      <span title="requests / limit">{limitText(t)}</span>
                      <br />
                      <small class="text-muted">
                        {t.cache_hit_count} cache hits · {t.request_count + t.cache_hit_count} total
                      </small>
                    </td>
                    <td>
                      <Time ts={t.expires_at} empty="Never" />
                    </td>
                    <td>
                      <Time ts={t.created_at} />
                    </td>
                    <td>
                      <Time ts={t.last_used_at} empty="Never" />
                    </td>
                    <td class="text-nowrap">
                      <a class="btn btn-sm btn-outline-primary" href={`/tokens/${t.id}`} aria-label={`View token ${t.token}`} title="View">
                        <Icon name="eye" />
                      </a>{" "}
                      <a class="btn btn-sm btn-outline-secondary" href={`/tokens/${t.id}/edit`} aria-label={`Edit token ${t.token}`} title="Edit">
                        <Icon name="pencil" />
                      </a>{" "}
                      {t.is_active ? (
                        <RevokeTokenForm token={t} csrf={frame.csrf} returnTo="list" compact />
                      ) : (
                        <ReactivateTokenForm token={t} csrf={frame.csrf} returnTo="list" compact />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="card-footer">
            <Pagination
              page={props.page}
              totalPages={props.totalPages}
              href={(page) => hrefWith("/tokens", { project_id: props.projectId, page, size: props.size === 10 ? undefined : props.size })}
              summary={`${props.total} token${props.total === 1 ? "" : "s"}`}
            />
          </div>
        </div>
      )}
    </Layout>
  );
}

export function TokenPage(props: { frame: PageFrame; token: TokenView; project: ProjectView | undefined }) {
  const t = props.token;
  return (
    <Layout frame={props.frame} title="Token Details" section="tokens">
      <PageHeader icon="key" title="Token Details">
        <a class="btn btn-outline-secondary" href="/tokens">
          <Icon name="arrow-left" /> Back to Tokens
        </a>
      </PageHeader>
      <div class="row g-4">
        <div class="col-lg-8">
          <div class="card">
            <div class="card-body">
              <dl class="row mb-0">
                <dt class="col-sm-4">Token ID</dt>
                <dd class="col-sm-8">
                  <code id="token-id">{t.id}</code>
                  <CopyButton target="token-id" label="Copy token ID" />
                </dd>
                <dt class="col-sm-4">Token (obfuscated)</dt>
                <dd class="col-sm-8">
                  <code>{t.token}</code>
                </dd>
                <dt class="col-sm-4">Project</dt>
                <dd class="col-sm-8">
                  <a href={`/projects/${t.project_id}`}>{props.project?.name ?? t.project_id}</a>
                  <br />
                  <small class="text-muted">{t.project_id}</small>
                </dd>
                <dt class="col-sm-4">Status</dt>
                <dd class="col-sm-8">
                  <TokenStatus token={t} />
                </dd>
                <dt class="col-sm-4">Expires</dt>
                <dd class="col-sm-8">
                  <Time ts={t.expires_at} format="long" empty="Never expires" />
                </dd>
                <dt class="col-sm-4">Usage</dt>
                <dd class="col-sm-8">
                  <strong>{t.request_count}</strong> requests made
                  <br />
                  <small class="text-muted">{t.max_requests === null ? "No limit" : `Limit: ${t.max_requests} requests`}</small>
                  <br />
                  <small class="text-muted">
                    {t.cache_hit_count} cache hits · {t.prompt_tokens} prompt / {t.completion_tokens} completion tokens
                  </small>
                </dd>
                <dt class="col-sm-4">Created</dt>
                <dd class="col-sm-8">
                  <Time ts={t.created_at} format="long" />
                </dd>
                <dt class="col-sm-4">Last Used</dt>
                <dd class="col-sm-8">
                  <Time ts={t.last_used_at} format="long" empty="Never" />
                </dd>
              </dl>
            </div>
          </div>
        </div>
        <div class="col-lg-4">
          <div class="card">
            <div class="card-header">
              <h2 class="h5 card-title mb-0">Actions</h2>
            </div>
            <div class="card-body d-grid gap-2">
              <a class="btn btn-outline-primary" href={`/tokens/${t.id}/edit`}>
                <Icon name="pencil" /> Edit Token
              </a>
              {t.is_active ? (
                <RevokeTokenForm token={t} csrf={props.frame.csrf} returnTo="show" />
              ) : (
                <ReactivateTokenForm token={t} csrf={props.frame.csrf} returnTo="show" />
              )}
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}
