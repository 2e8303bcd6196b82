import type { AssetUrls } from "../assets.js";
import { Check, Field, helpId, Submit } from "./fields.js";
import { Document } from "./layout.js";
import { CsrfField, ErrorAlert, Icon } from "./parts.js";

export function LoginPage(props: { urls: AssetUrls; csrf: string; error?: string | undefined; remember?: boolean; tokenFile?: string | undefined }) {
  const help = (
    <>
      The <code>MANAGEMENT_TOKEN</code> of this deployment
      {props.tokenFile ? (
        <>
          {" "}(generated at the first start and kept in <code>{props.tokenFile}</code>)
        </>
      ) : null}
      .
    </>
  );
  return (
    <Document title="Sign In" urls={props.urls} bodyClass="bg-body-tertiary">
      <main class="container py-5" id="main">
        <div class="row justify-content-center">
          <div class="col-sm-10 col-md-7 col-lg-5">
            <div class="card shadow-sm">
              <div class="card-body p-4">
                <p class="h4 mb-1 text-center">
                  <Icon name="shield-lock" /> LLM Proxy Admin
                </p>
                <p class="text-muted text-center mb-4">Sign in with the management token.</p>
                <ErrorAlert message={props.error} />
                <form method="post" action="/auth/login">
                  <CsrfField token={props.csrf} />
                  <Field id="management_token" label="Management token" help={help}>
                    <input
                      type="password"
                      class="form-control"
                      id="management_token"
                      name="management_token"
                      autocomplete="current-password"
                      required
                      autofocus
                      aria-describedby={helpId("management_token")}
                    />
                  </Field>
                  <Check id="remember_me" class="mb-3" checked={props.remember ?? false} label="Remember me for 30 days" />
                  <Submit icon="box-arrow-in-right" tone="btn-primary w-100">
                    Sign In
                  </Submit>
                </form>
              </div>
            </div>
          </div>
        </div>
      </main>
    </Document>
  );
}
