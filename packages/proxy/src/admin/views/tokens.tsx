import type { ProjectView } from "../../projects/verbs.js";
import type { TokenView } from "../../tokens/verbs.js";
import { Page, type PageFrame } from "./layout.js";
import { ActionList, Card, Columns, DataTable, Details, EmptyState, ViewEditLinks, type Column } from "./blocks.js";
import { SpendMeter } from "./spend.js";
import { CopyButton, Icon, LinkButton, Time, hrefWith, plural } from "./parts.js";
import { ReactivateTokenForm, RevokeTokenForm, TokenStatus, limitText, rateLimitText } from "./token-parts.js";

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

function columns(projects: Map<string, ProjectView>, csrf: string): Column<TokenView>[] {
  return [
    {
      label: "Token",
      cell: (t) => (
        <a href={`/tokens/${t.id}`}>
          <code>{t.token}</code>
        </a>
      ),
    },
    { label: "Project", cell: (t) => <a href={`/projects/${t.project_id}`}>{projects.get(t.project_id)?.name ?? t.project_id}</a> },
    { label: "Status", cell: (t) => <TokenStatus token={t} /> },
    {
      label: "Requests & Cache",
      class: "text-nowrap",
      cell: (t) => (
        <>
          <span title="requests / limit">{limitText(t)}</span>
          <br />
          <small class="text-muted">
            {t.cache_hit_count} cache hits · {t.request_count + t.cache_hit_count} total
          </small>
        </>
      ),
    },
    { label: "Expires", cell: (t) => <Time ts={t.expires_at} empty="Never" /> },
    { label: "Created", cell: (t) => <Time ts={t.created_at} /> },
    { label: "Last Used", cell: (t) => <Time ts={t.last_used_at} empty="Never" /> },
    {
      label: "Actions",
      class: "text-nowrap",
      cell: (t) => (
        <>
          <ViewEditLinks href={`/tokens/${t.id}`} label={`token ${t.token}`} titles />{" "}
          {t.is_active ? (
            <RevokeTokenForm token={t} csrf={csrf} returnTo="list" compact />
          ) : (
            <ReactivateTokenForm token={t} csrf={csrf} returnTo="list" compact />
          )}
        </>
      ),
    },
  ];
}

export function TokensPage(props: TokensPageProps) {
  return (
    <Page
      frame={props.frame}
      title="Tokens"
      section="tokens"
      icon="key"
      actions={<LinkButton href={hrefWith("/tokens/new", { project_id: props.projectId })} icon="plus-circle" tone="btn-primary">Generate Token</LinkButton>}
    >
      <ProjectFilter projects={props.projects} projectId={props.projectId} />
      <DataTable
        columns={columns(props.projects, props.frame.csrf)}
        rows={props.tokens}
        empty={<EmptyState title="No tokens" text="Generate a token for a project to hand it to a client." />}
        pages={{ page: props.page, totalPages: props.totalPages, summary: plural(props.total, "token"), href: (page) => hrefWith("/tokens", { project_id: props.projectId, page, size: props.size === 10 ? undefined : props.size }) }}
      />
    </Page>
  );
}

function usage(t: TokenView) {
  return (
    <>
      <strong>{t.request_count}</strong> requests made
      <br />
      <small class="text-muted">{t.max_requests === null ? "No limit" : `Limit: ${t.max_requests} requests`}</small>
      <br />
      <small class="text-muted">
        {t.cache_hit_count} cache hits · {t.prompt_tokens} prompt / {t.completion_tokens} completion tokens
      </small>
    </>
  );
}

export function TokenPage(props: { frame: PageFrame; token: TokenView; project: ProjectView | undefined }) {
  const t = props.token;
  const csrf = props.frame.csrf;
  const actions = (
    <ActionList>
      <LinkButton href={`/tokens/${t.id}/edit`} icon="pencil" tone="btn-outline-primary">
        Edit Token
      </LinkButton>
      {t.is_active ? <RevokeTokenForm token={t} csrf={csrf} returnTo="show" /> : <ReactivateTokenForm token={t} csrf={csrf} returnTo="show" />}
    </ActionList>
  );
  return (
    <Page frame={props.frame} title="Token Details" section="tokens" icon="key" back={{ href: "/tokens", label: "Back to Tokens" }}>
      <Columns aside={actions}>
        <Card>
          <Details
            split={4}
            rows={[
              ["Token ID", <><code id="token-id">{t.id}</code><CopyButton target="token-id" label="Copy token ID" /></>],
              ["Token (obfuscated)", <code>{t.token}</code>],
              ["Project", <>
                <a href={`/projects/${t.project_id}`}>{props.project?.name ?? t.project_id}</a>
                <br />
                <small class="text-muted">{t.project_id}</small>
              </>],
              ["Status", <TokenStatus token={t} />],
              ["Expires", <Time ts={t.expires_at} format="long" empty="Never expires" />],
              ["Usage", usage(t)],
              ["Spend", <SpendMeter id="token-spend" spent={t.spend_usd} budget={t.max_spend_usd} period="lifetime" />],
              ["Rate limit", <span id="token-rate-limit">{rateLimitText(t.rate_limit_rpm)}</span>],
              ["Created", <Time ts={t.created_at} format="long" />],
              ["Last Used", <Time ts={t.last_used_at} format="long" empty="Never" />],
            ]}
          />
        </Card>
      </Columns>
    </Page>
  );
}
