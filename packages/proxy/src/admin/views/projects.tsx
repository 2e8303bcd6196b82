import type { ProjectView } from "../../projects/verbs.js";
import type { TokenView } from "../../tokens/verbs.js";
import { Layout, PageHeader, type PageFrame } from "./layout.js";
import { Badge, CopyButton, CsrfField, ErrorAlert, Icon, Pagination, Time, hrefWith } from "./parts.js";

export function ProjectStatus(props: { active: boolean }) {
  return props.active ? (
    <Badge color="success">
      <Icon name="check-circle" /> Active
    </Badge>
  ) : (
    <Badge color="danger">
      <Icon name="x-circle" /> Inactive
    </Badge>
  );
}

export function ProjectsPage(props: { frame: PageFrame; projects: ProjectView[]; page: number; size: number; totalPages: number; total: number }) {
  return (
    <Layout frame={props.frame} title="Projects" section="projects">
      <PageHeader icon="folder" title="Projects">
        <a class="btn btn-primary" href="/projects/new">
          <Icon name="plus-circle" /> New Project
        </a>
      </PageHeader>
      {props.total === 0 ? (
        <div class="text-center py-5 text-muted">
          <p class="h4">No projects yet</p>
          <p>A project holds one upstream API key; tokens are issued per project.</p>
        </div>
      ) : (
        <div class="card">
          <div class="table-responsive">
            <table class="table table-hover align-middle mb-0">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">API Key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {props.projects.map((p) => (
                  <tr>
                    <td>
                      <a href={`/projects/${p.id}`}>{p.name}</a>
                    </td>
                    <td>
                      <code>{p.api_key}</code>
                    </td>
                    <td>
                      <ProjectStatus active={p.is_active} />
                    </td>
                    <td>
                      <Time ts={p.created_at} />
                    </td>
                    <td class="text-nowrap">
                      <a class="btn btn-sm btn-outline-primary" href={`/projects/${p.id}`} aria-label={`View ${p.name}`}>
                        <Icon name="eye" />
                      </a>{" "}
                      <a class="btn btn-sm btn-outline-secondary" href={`/projects/${p.id}/edit`} aria-label={`Edit ${p.name}`}>
                        <Icon name="pencil" />
                      </a>
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
              href={(page) => hrefWith("/projects", { page, size: props.size === 10 ? undefined : props.size })}
              summary={`${props.total} project${props.total === 1 ? "" : "s"}`}
            />
          </div>
        </div>
      )}
    </Layout>
  );
}

export interface ProjectFormValues {
  name: string;
  is_active: boolean;
  revoke_tokens: boolean;
}

/** New and edit share the form; edit adds the status switch and the bulk revoke that goes with deactivating. */
export function ProjectFormPage(props: { frame: PageFrame; project?: ProjectView; values: ProjectFormValues; error?: string | undefined }) {
  const editing = props.project !== undefined;
  const title = editing ? "Edit Project" : "New Project";
  return (
    <Layout frame={props.frame} title={title} section="projects">
      <PageHeader icon={editing ? "pencil-square" : "folder-plus"} title={title}>
        <a class="btn btn-outline-secondary" href={editing ? `/projects/${props.project?.id}` : "/projects"}>
          <Icon name="arrow-left" /> Back
        </a>
      </PageHeader>
      <div class="row">
        <div class="col-lg-8">
          <ErrorAlert message={props.error} />
          <div class="card">
            <div class="card-body">
              <form method="post" action={editing ? `/projects/${props.project?.id}` : "/projects"}>
                <CsrfField token={props.frame.csrf} />
                {editing ? <input type="hidden" name="_method" value="PUT" /> : null}
                <div class="mb-3">
                  <label for="name" class="form-label">
                    Name
                  </label>
                  <input type="text" class="form-control" id="name" name="name" value={props.values.name} required maxlength={200} />
                </div>
                <div class="mb-3">
                  <label for="api_key" class="form-label">
                    Upstream API key
                  </label>
                  <input
                    type="password"
                    class="form-control"
                    id="api_key"
                    name="api_key"
                    autocomplete="off"
                    required={!editing}
                    maxlength={4096}
                    aria-describedby="api_key_help"
                  />
                  <div id="api_key_help" class="form-text">
                    {editing
                      ? `Leave blank to keep the current key (${props.project?.api_key ?? ""}).`
                      : "Stored encrypted when ENCRYPTION_KEY is set; never shown again in full."}
                  </div>
                </div>
                {editing ? (
                  <fieldset class="mb-3">
                    <legend class="form-label fs-6">Status</legend>
                    <div class="form-check form-switch">
                      <input class="form-check-input" type="checkbox" role="switch" id="is_active" name="is_active" value="1" checked={props.values.is_active} />
                      <label class="form-check-label" for="is_active">
                        Active (tokens of an inactive project are refused)
                      </label>
                    </div>
                    <div class="form-check mt-2">
                      <input class="form-check-input" type="checkbox" id="revoke_tokens" name="revoke_tokens" value="1" checked={props.values.revoke_tokens} aria-describedby="revoke_tokens_help" />
                      <label class="form-check-label" for="revoke_tokens">
                        Also revoke all of this project's tokens
                      </label>
                      <div id="revoke_tokens_help" class="form-text">
                        Only together with deactivating; re-activating the project later does not bring the tokens back.
                      </div>
                    </div>
                  </fieldset>
                ) : null}
                <button type="submit" class="btn btn-primary">
                  <Icon name="check-lg" /> {editing ? "Update Project" : "Create Project"}
                </button>
              </form>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}

export function ProjectPage(props: { frame: PageFrame; project: ProjectView; tokens: TokenView[] }) {
  const p = props.project;
  const now = Date.now();
  const live = props.tokens.filter((t) => t.is_active && (!t.expires_at || Date.parse(t.expires_at) > now)).length;
  return (
    <Layout frame={props.frame} title={p.name} section="projects">
      <PageHeader icon="folder2-open" title={p.name}>
        <a class="btn btn-outline-secondary" href="/projects">
          <Icon name="arrow-left" /> Projects
        </a>
      </PageHeader>
      <div class="row g-4">
        <div class="col-lg-8">
          <div class="card">
            <div class="card-header">
              <h2 class="h5 card-title mb-0">Project Details</h2>
            </div>
            <div class="card-body">
              <dl class="row mb-0">
                <dt class="col-sm-3">ID:</dt>
                <dd class="col-sm-9">
                  <code id="project-id">{p.id}</code>
                  <CopyButton target="project-id" label="Copy project ID" />
                </dd>
                <dt class="col-sm-3">API Key:</dt>
                <dd class="col-sm-9">
                  <code id="api-key" data-masked="false" data-value={p.api_key}>
                    {p.api_key}
                  </code>
                  <button type="button" class="btn btn-sm btn-outline-secondary ms-2" data-toggle-mask="api-key" aria-label="Show or hide the API key">
                    <Icon name="eye-slash" />
                  </button>
                </dd>
                <dt class="col-sm-3">Status:</dt>
                <dd class="col-sm-9">
                  <ProjectStatus active={p.is_active} />
                  {p.deactivated_at ? (
                    <span class="text-muted small ms-2">
                      since <Time ts={p.deactivated_at} />
                    </span>
                  ) : null}
                </dd>
                <dt class="col-sm-3">Tokens:</dt>
                <dd class="col-sm-9">
                  {live} live of {props.tokens.length}
                </dd>
                <dt class="col-sm-3">Created:</dt>
                <dd class="col-sm-9">
                  <Time ts={p.created_at} format="long" />
                </dd>
                <dt class="col-sm-3">Updated:</dt>
                <dd class="col-sm-9">
                  <Time ts={p.updated_at} format="long" />
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
              <a class="btn btn-outline-primary" href={`/projects/${p.id}/edit`}>
                <Icon name="pencil" /> Edit Project
              </a>
              {p.is_active ? (
                <a class="btn btn-success" href={hrefWith("/tokens/new", { project_id: p.id })}>
                  <Icon name="plus-circle" /> Generate Token
                </a>
              ) : (
                <a class="btn btn-success disabled" aria-disabled="true" tabindex={-1}>
                  <Icon name="plus-circle" /> Generate Token
                </a>
              )}
              <a class="btn btn-outline-secondary" href={hrefWith("/tokens", { project_id: p.id })}>
                <Icon name="key" /> View Project Tokens
              </a>
              <a class="btn btn-outline-secondary" href={hrefWith("/audit", { project_id: p.id })}>
                <Icon name="shield-check" /> View Audit Events
              </a>
              <form method="post" action={`/projects/${p.id}/revoke-tokens`} class="d-grid">
                <CsrfField token={props.frame.csrf} />
                <button
                  type="submit"
                  class="btn btn-outline-danger"
                  onclick="return confirm('Are you sure you want to revoke ALL tokens for this project? This action cannot be undone.')"
                >
                  <Icon name="x-octagon" /> Revoke All Tokens
                </button>
              </form>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}
