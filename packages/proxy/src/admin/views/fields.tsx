import type { Child } from "hono/jsx";
import { CsrfField, ErrorAlert, Icon } from "./parts.js";

/** A form page's card: the error above, the form posting to `action` with its CSRF field (and `_method` override). */
export function FormCard(props: { action: string; csrf: string; method?: "PUT"; error?: string | undefined; children: Child }) {
  return (
    <>
      <ErrorAlert message={props.error} />
      <div class="card">
        <div class="card-body">
          <form method="post" action={props.action}>
            <CsrfField token={props.csrf} />
            {props.method ? <input type="hidden" name="_method" value={props.method} /> : null}
            {props.children}
          </form>
        </div>
      </div>
    </>
  );
}

/** The id of a field's help text, for the control's `aria-describedby`. */
export const helpId = (id: string) => `${id}_help`;

function Help(props: { id: string; text: Child | undefined }) {
  return props.text ? (
    <div id={helpId(props.id)} class="form-text">
      {props.text}
    </div>
  ) : null;
}

/** A labelled control (passed as children) with optional help text under it. */
export function Field(props: { id: string; label: string; help?: Child; children: Child }) {
  return (
    <div class="mb-3">
      <label for={props.id} class="form-label">
        {props.label}
      </label>
      {props.children}
      <Help id={props.id} text={props.help} />
    </div>
  );
}

/** An amount in USD: any non-negative decimal, blank allowed (the route decides what blank means). */
export function UsdField(props: { id: string; label: string; value: string; help: Child }) {
  return (
    <Field id={props.id} label={props.label} help={props.help}>
      <div class="input-group">
        <span class="input-group-text">$</span>
        <input type="number" class="form-control" id={props.id} name={props.id} min={0} step="any" inputmode="decimal" value={props.value} aria-describedby={helpId(props.id)} />
      </div>
    </Field>
  );
}

/** A read-only text field: what the form shows but does not change. */
export function ReadonlyField(props: { id: string; label: string; value: string }) {
  return (
    <Field id={props.id} label={props.label}>
      <input type="text" class="form-control" id={props.id} value={props.value} readonly />
    </Field>
  );
}

/** A checkbox (`value="1"` when ticked), a switch with `toggle`; `class` spaces it. */
export function Check(props: { id: string; label: Child; checked: boolean; toggle?: boolean; class?: string; help?: Child }) {
  const base = props.toggle ? "form-check form-switch" : "form-check";
  return (
    <div class={props.class ? `${base} ${props.class}` : base}>
      <input
        class="form-check-input"
        type="checkbox"
        role={props.toggle ? "switch" : undefined}
        id={props.id}
        name={props.id}
        value="1"
        checked={props.checked}
        aria-describedby={props.help ? helpId(props.id) : undefined}
      />
      <label class="form-check-label" for={props.id}>
        {props.label}
      </label>
      <Help id={props.id} text={props.help} />
    </div>
  );
}

/** A form's submit button with a leading icon. */
export function Submit(props: { icon: string; tone?: string; children: Child }) {
  return (
    <button type="submit" class={`btn ${props.tone ?? "btn-primary"}`}>
      <Icon name={props.icon} /> {props.children}
    </button>
  );
}
