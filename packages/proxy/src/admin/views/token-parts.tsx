import type { TokenView } from "../../tokens/verbs.js";
import { Badge, CsrfField, Icon } from "./parts.js";

export type TokenState = "active" | "expired" | "inactive" | "exhausted";

export function tokenState(t: TokenView, now = Date.now()): TokenState {
  if (!t.is_active) return "inactive";
  if (t.expires_at && Date.parse(t.expires_at) <= now) return "expired";
  if (t.max_requests !== null && t.request_count >= t.max_requests) return "exhausted";
  return "active";
}

const STATUS: Record<TokenState, { color: "success" | "warning" | "secondary" | "danger"; icon: string; label: string }> = {
  active: { color: "success", icon: "check-circle", label: "Active" },
  expired: { color: "warning", icon: "clock-history", label: "Expired" },
  exhausted: { color: "secondary", icon: "slash-circle", label: "Limit reached" },
  inactive: { color: "danger", icon: "x-circle", label: "Inactive" },
};

export function TokenStatus(props: { token: TokenView }) {
  const s = STATUS[tokenState(props.token)];
  return (
    <Badge color={s.color}>
      <Icon name={s.icon} /> {s.label}
    </Badge>
  );
}

/** A token's `rate_limit_rpm` in words: null is the proxy's default, 0 none. */
export const rateLimitText = (rpm: number | null) =>
  rpm === null ? "Proxy default (RATE_LIMIT_RPM)" : rpm === 0 ? "No limit" : `${rpm} requests per minute`;

export const limitText = (t: TokenView) => `${t.request_count} / ${t.max_requests === null ? "∞" : t.max_requests}`;

/** Revoke as a form post with a confirm dialog (skipped without JavaScript; the post still works). */
export function RevokeTokenForm(props: { token: TokenView; csrf: string; returnTo: "list" | "show" | "edit"; compact?: boolean }) {
  const t = props.token;
  // Only characters that cannot end the JavaScript string literal of the onclick handler.
  const safe = (v: string) => v.replace(/[^\w*.-]/g, "");
  // The edit page's wording differs from the list/show wording, as in the original suite.
  const message =
    props.returnTo === "edit"
      ? "Are you sure you want to revoke this token? This action cannot be undone."
      : `Are you sure you want to revoke token ${safe(t.token)}? This action cannot be undone.\\n\\nToken ID: ${safe(t.id)}`;
  return (
    <form method="post" action={`/tokens/${t.id}`} class={props.compact ? "d-inline" : "d-grid"}>
      <CsrfField token={props.csrf} />
      <input type="hidden" name="_method" value="DELETE" />
      <input type="hidden" name="return_to" value={props.returnTo} />
      <button
        type="submit"
        class={props.compact ? "btn btn-sm btn-outline-danger" : "btn btn-danger"}
        onclick={`return confirm('${message}')`}
        aria-label={props.compact ? `Revoke token ${t.token}` : undefined}
        title={props.compact ? "Revoke token" : undefined}
      >
        <Icon name="x-octagon" />
        {props.compact ? null : " Revoke Token"}
      </button>
    </form>
  );
}

/** Re-activation sends only `is_active: true`, so the token keeps its request limit. */
export function ReactivateTokenForm(props: { token: TokenView; csrf: string; returnTo: "list" | "show"; compact?: boolean }) {
  return (
    <form method="post" action={`/tokens/${props.token.id}/reactivate`} class={props.compact ? "d-inline" : "d-grid"}>
      <CsrfField token={props.csrf} />
      <input type="hidden" name="return_to" value={props.returnTo} />
      <button
        type="submit"
        class={props.compact ? "btn btn-sm btn-outline-success" : "btn btn-outline-success"}
        aria-label={props.compact ? `Reactivate token ${props.token.token}` : undefined}
        title={props.compact ? "Reactivate token" : undefined}
      >
        <Icon name="arrow-counterclockwise" />
        {props.compact ? null : " Reactivate Token"}
      </button>
    </form>
  );
}
