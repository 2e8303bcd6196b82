import type { ProjectView } from "../../projects/verbs.js";
import type { TokenView } from "../../tokens/verbs.js";
import { ActionList, Card, Columns, DataTable, Details, EmptyState, ViewEditLinks, type Column } from "./blocks.js";
import { SpendMeter } from "./spend.js";
import { Check, Field, FormCard, helpId, Submit, UsdField } from "./fields.js";
import { Page, type PageFrame } from "./layout.js";
import { Badge, CopyButton, CsrfField, Icon, LinkButton, Time, hrefWith, plural } from "./parts.js";

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

const COLUMNS: Column<ProjectView>[] = [
  { label: "Name", cell: (p) => <a href={`/projects/${p.id}`}>{p.name}</a> },
  { label: "API Key", cell: (p) => <code>{p.api_key}</code> },
  { label: "Status", cell: (p) => <ProjectStatus active={p.is_active} /> },
  { label: "Created", cell: (p) => <Time ts={p.created_at} /> },
  { label: "Actions", class: "text-nowrap", cell: (p) => <ViewEditLinks href={`/projects/${p.id}`} label={p.name} /> },
];

export function ProjectsPage(props: { frame: PageFrame; projects: ProjectView[]; page: number; size: number; totalPages: number; total: number }) {
  return (
    <Page frame={props.frame} title="Projects" section="projects" icon="folder" actions={<LinkButton href="/projects/new" icon="plus-circle" tone="btn-primary">New Project</LinkButton>}>
      <DataTable
        columns={COLUMNS}
        rows={props.projects}
        empty={<EmptyState title="No projects yet" text="A project holds one upstream API key; tokens are issued per project." />}
        pages={{ page: props.page, totalPages: props.totalPages, summary: plural(props.total, "project"), href: (page) => hrefWith("/projects", { page, size: props.size === 10 ? undefined : props.size }) }}
      />
    </Page>
  );
}

export interface ProjectFormValues {
  name: string;
  is_active: boolean;
  revoke_tokens: boolean;
  /** As typed: blank = no budget. */
  monthly_budget_usd: string;
}

/** Edit's status switch, with the bulk revoke that goes with deactivating. */
function StatusFields(props: { values: ProjectFormValues }) {
  return (
    <fieldset class="mb-3">
      <legend class="form-label fs-6">Status</legend>
      <Check id="is_active" toggle checked={props.values.is_active} label="Active (tokens of an inactive project are refused)" />
      <Check
        id="revoke_tokens"
        class="mt-2"
        checked={props.values.revoke_tokens}
        label="Also revoke all of this project's tokens"
        help="Only together with deactivating; re-activating the project later does not bring the tokens back."
      />
    </fieldset>
  );
}

/** New and edit share the form; edit adds the status fields. */
export function ProjectFormPage(props: { frame: PageFrame; project?: ProjectView; values: ProjectFormValues; error?: string | undefined }) {
  const { project } = props;
  const title = project ? "Edit Project" : "New Project";
  return (
    <Page
      frame={props.frame}
      title={title}
      section="projects"
      icon={project ? "pencil-square" : "folder-plus"}
      back={{ href: project ? `/projects/${project.id}` : "/projects", label: "Back" }}
    >
      <Columns>
        <FormCard action={project ? `/projects/${project.id}` : "/projects"} csrf={props.frame.csrf} method={project ? "PUT" : undefined} error={props.error}>
          <Field id="name" label="Name">
            <input type="text" class="form-control" id="name" name="name" value={props.values.name} required maxlength={200} />
          </Field>
          <Field
            id="api_key"
            label="Upstream API key"
            help={project ? `Leave blank to keep the current key (${project.api_key}).` : "Stored encrypted when ENCRYPTION_KEY is set; never shown again in full."}
          >
            <input type="password" class="form-control" id="api_key" name="api_key" autocomplete="off" required={!project} maxlength={4096} aria-describedby={helpId("api_key")} />
          </Field>
          <UsdField
            id="monthly_budget_usd"
            label="Monthly budget (USD)"
            value={props.values.monthly_budget_usd}
            help={<>Spend per UTC calendar month; once reached, the project's requests are refused until the month turns. Blank for no budget{project ? " (clearing it removes the budget)" : ""}, 0 to stop all spend.</>}
          />
          {project ? <StatusFields values={props.values} /> : null}
          <Submit icon="check-lg">{project ? "Update Project" : "Create Project"}</Submit>
        </FormCard>
      </Columns>
    </Page>
  );
}

function ProjectActions(props: { project: ProjectView; csrf: string }) {
  const p = props.project;
  return (
    <ActionList>
      <LinkButton href={`/projects/${p.id}/edit`} icon="pencil" tone="btn-outline-primary">
        Edit Project
      </LinkButton>
      {p.is_active ? (
        <LinkButton href={hrefWith("/tokens/new", { project_id: p.id })} icon="plus-circle" tone="btn-success">
          Generate Token
        </LinkButton>
      ) : (
        <a class="btn btn-success disabled" aria-disabled="true" tabindex={-1}>
          <Icon name="plus-circle" /> Generate Token
        </a>
      )}
      <LinkButton href={hrefWith("/tokens", { project_id: p.id })} icon="key" tone="btn-outline-secondary">
        View Project Tokens
      </LinkButton>
      <LinkButton href={hrefWith("/audit", { project_id: p.id })} icon="shield-check" tone="btn-outline-secondary">
        View Audit Events
      </LinkButton>
      <form method="post" action={`/projects/${p.id}/revoke-tokens`} class="d-grid">
        <CsrfField token={props.csrf} />
        <button
          type="submit"
          class="btn btn-outline-danger"
          onclick="return confirm('Are you sure you want to revoke ALL tokens for this project? This action cannot be undone.')"
        >
          <Icon name="x-octagon" /> Revoke All Tokens
        </button>
      </form>
    </ActionList>
  );
}

export function ProjectPage(props: { frame: PageFrame; project: ProjectView; tokens: TokenView[] }) {
  const p = props.project;
  const now = Date.now();
  const live = props.tokens.filter((t) => t.is_active && (!t.expires_at || Date.parse(t.expires_at) > now)).length;
  return (
    <Page frame={props.frame} title={p.name} section="projects" icon="folder2-open" back={{ href: "/projects", label: "Projects" }}>
      <Columns aside={<ProjectActions project={p} csrf={props.frame.csrf} />}>
        <Card title="Project Details">
          <Details
            rows={[
              ["ID:", <><code id="project-id">{p.id}</code><CopyButton target="project-id" label="Copy project ID" /></>],
              ["API Key:", <>
                <code id="api-key" data-masked="false" data-value={p.api_key}>{p.api_key}</code>
                <button type="button" class="btn btn-sm btn-outline-secondary ms-2" data-toggle-mask="api-key" aria-label="Show or hide the API key">
                  <Icon name="eye-slash" />
                </button>
              </>],
              ["Status:", <>
                <ProjectStatus active={p.is_active} />
                {p.deactivated_at ? <span class="text-muted small ms-2">since <Time ts={p.deactivated_at} /></span> : null}
              </>],
              ["Tokens:", `${live} live of ${props.tokens.length}`],
              ["Spend:", <SpendMeter id="project-spend" spent={p.spend_usd} budget={p.monthly_budget_usd} period="this month (UTC)" />],
              ["Created:", <Time ts={p.created_at} format="long" />],
              ["Updated:", <Time ts={p.updated_at} format="long" />],
            ]}
          />
        </Card>
      </Columns>
    </Page>
  );
}
