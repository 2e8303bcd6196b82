import type { ProjectView } from "../../projects/verbs.js";
import type { CreatedToken, TokenView } from "../../tokens/verbs.js";
import { utcText } from "../time.js";
import { Page, type PageFrame } from "./layout.js";
import { ActionList, Columns, Details } from "./blocks.js";
import { usdText } from "../forms.js";
import { Check, Field, FormCard, helpId, ReadonlyField, Submit, UsdField } from "./fields.js";
import { CopyButton, Icon, Time } from "./parts.js";
import { rateLimitText, RevokeTokenForm, TokenStatus } from "./token-parts.js";
import { usdLabel } from "./spend.js";
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

/** The limits both token forms set, as typed. */
export interface TokenLimitValues {
  max_requests: string;
  /** Blank = no spend limit. */
  max_spend_usd: string;
  /** Blank = the proxy's RATE_LIMIT_RPM, 0 = no limit. */
  rate_limit_rpm: string;
}

export interface NewTokenValues extends TokenLimitValues {
  project_id: string;
  duration_minutes: number;
}

export function NewTokenPage(props: { frame: PageFrame; projects: ProjectView[]; values: NewTokenValues; error?: string | undefined }) {
  const { values } = props;
  return (
    <Page frame={props.frame} title="Generate Token" section="tokens" icon="key" back={{ href: "/tokens", label: "Back to Tokens" }}>
      <Columns>
        <FormCard action="/tokens" csrf={props.frame.csrf} error={props.error}>
          <Field id="project_id" label="Project">
            <select id="project_id" name="project_id" class="form-select" required>
              <option value="">Choose a project…</option>
              {props.projects.map((p) => (
                <option value={p.id} selected={p.id === values.project_id} disabled={!p.is_active}>
                  {p.is_active ? p.name : `${p.name} (inactive)`}
                </option>
              ))}
            </select>
          </Field>
          <Field id="duration_minutes" label="Valid for">
            <select id="duration_minutes" name="duration_minutes" class="form-select">
              {DURATIONS.map(([minutes, label]) => (
                <option value={String(minutes)} selected={minutes === values.duration_minutes}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <MaxRequestsField value={values.max_requests} min={1} help="Leave blank for unlimited." />
          <SpendAndRateFields values={values} editing={false} />
          <Submit icon="plus-circle" tone="btn-success">
            Generate Token
          </Submit>
        </FormCard>
      </Columns>
    </Page>
  );
}

function MaxRequestsField(props: { value: string; min: number; help: string }) {
  return (
    <Field id="max_requests" label="Maximum requests" help={props.help}>
      <input type="number" class="form-control" id="max_requests" name="max_requests" min={props.min} step={1} value={props.value} aria-describedby={helpId("max_requests")} />
    </Field>
  );
}

/** The spend limit and the rate limit, on the new and edit forms alike. */
function SpendAndRateFields(props: { values: TokenLimitValues; editing: boolean }) {
  return (
    <>
      <UsdField
        id="max_spend_usd"
        label="Spend limit (USD)"
        value={props.values.max_spend_usd}
        help={`Over the token's lifetime; once reached, its requests are refused. Blank for no limit${props.editing ? " (clearing it removes the limit)" : ""}, 0 to stop all spend.`}
      />
      <Field id="rate_limit_rpm" label="Requests per minute" help="Blank for the proxy's default (RATE_LIMIT_RPM), 0 for no limit.">
        <input type="number" class="form-control" id="rate_limit_rpm" name="rate_limit_rpm" min={0} step={1} value={props.values.rate_limit_rpm} aria-describedby={helpId("rate_limit_rpm")} />
      </Field>
    </>
  );
}

/** The only time the secret is shown; the response is marked no-store by the route. */
export function TokenCreatedPage(props: { frame: PageFrame; created: CreatedToken; project: ProjectView | undefined; apiBaseUrl: string }) {
  const t = props.created;
  return (
    <Page frame={props.frame} title="Token Created" section="tokens" icon="check-circle" back={{ href: `/tokens/${t.id}`, label: "View Token Details", icon: "eye" }}>
      <div class="alert alert-warning" role="alert">
        <Icon name="exclamation-triangle" /> Copy this token now. It will not be shown again.
      </div>
      <div class="card mb-4">
        <div class="card-body">
          <Details
            rows={[
              ["Token", <>
                <code id="token-value" class="fs-5">{t.token}</code>
                <CopyButton target="token-value" label="Copy token" />
              </>],
              ["Token ID", <code>{t.id}</code>],
              ["Project", props.project ? <a href={`/projects/${props.project.id}`}>{props.project.name}</a> : "—"],
              ["Expires", <Time ts={t.expires_at} format="long" />],
              ["Request limit", t.max_requests ? `${t.max_requests} requests` : "Unlimited"],
              ["Spend limit", t.max_spend_usd === undefined ? "None" : `${usdLabel(t.max_spend_usd)} lifetime`],
              ["Rate limit", rateLimitText(t.rate_limit_rpm ?? null)],
            ]}
          />
        </div>
      </div>
      <UsageSnippets token={t.token} apiBaseUrl={props.apiBaseUrl} />
    </Page>
  );
}

function DangerZone(props: { token: TokenView; csrf: string }) {
  const t = props.token;
  return (
    <ActionList title="Danger Zone" danger>
      <p class="mb-1">
        Status: <TokenStatus token={t} />
      </p>
      {t.is_active ? <RevokeTokenForm token={t} csrf={props.csrf} returnTo="edit" /> : <p class="text-muted mb-0">This token is inactive.</p>}
    </ActionList>
  );
}

export interface EditTokenValues extends TokenLimitValues {
  is_active: boolean;
}

/** The edit form's fields as the token has them. */
const editValuesOf = (t: TokenView): EditTokenValues => ({
  is_active: t.is_active,
  max_requests: t.max_requests === null ? "" : String(t.max_requests),
  max_spend_usd: usdText(t.max_spend_usd),
  rate_limit_rpm: t.rate_limit_rpm === null ? "" : String(t.rate_limit_rpm),
});

/** `values` are what was submitted when the form comes back with an error. */
export function EditTokenPage(props: { frame: PageFrame; token: TokenView; project: ProjectView | undefined; error?: string | undefined; values?: EditTokenValues }) {
  const t = props.token;
  const values = props.values ?? editValuesOf(t);
  return (
    <Page frame={props.frame} title="Edit Token" section="tokens" icon="pencil-square" back={{ href: `/tokens/${t.id}`, label: "Back to Token" }}>
      <Columns aside={<DangerZone token={t} csrf={props.frame.csrf} />}>
        <FormCard action={`/tokens/${t.id}`} csrf={props.frame.csrf} method="PUT" error={props.error}>
          <ReadonlyField id="token_id" label="Token ID" value={t.id} />
          <ReadonlyField id="project_name" label="Project" value={props.project?.name ?? t.project_id} />
          <ReadonlyField id="expires_at" label="Expires (UTC)" value={t.expires_at ? utcText(t.expires_at, "ymd_hms") : "Never"} />
          <ReadonlyField id="request_count" label="Requests made" value={String(t.request_count)} />
          <Check id="is_active" toggle class="mb-3" checked={values.is_active} label="Active" />
          <MaxRequestsField value={values.max_requests} min={0} help="Leave blank (or 0) for unlimited." />
          <SpendAndRateFields values={values} editing />
          <Submit icon="check-lg">Update Token</Submit>
        </FormCard>
      </Columns>
    </Page>
  );
}
