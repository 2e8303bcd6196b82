import type { AssetUrls } from "../assets.js";
import { Document } from "./layout.js";
import { CsrfField, ErrorAlert, Icon } from "./parts.js";

export function LoginPage(props: { urls: AssetUrls; csrf: string; error?: string | undefined; remember?: boolean; tokenFile?: string | undefined }) {
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
                  <div class="mb-3">
                    <label for="management_token" class="form-label">
                      Management token
                    </label>
                    <input
                      type="password"
                      class="form-control"
                      id="management_token"
                      name="management_token"
                      autocomplete="current-password"
                      required
                      autofocus
                      aria-describedby="management_token_help"
                    />
                    <div id="management_token_help" class="form-text">
                      The <code>MANAGEMENT_TOKEN</code> of this deployment
                      {props.tokenFile ? (
                        <>
                          {" "}(generated at the first start and kept in <code>{props.tokenFile}</code>)
                        </>
                      ) : null}
                      .
                    </div>
                  </div>
                  <div class="form-check mb-3">
                    <input class="form-check-input" type="checkbox" id="remember_me" name="remember_me" value="1" checked={props.remember ?? false} />
                    <label class="form-check-label" for="remember_me">
                      Remember me for 30 days
                    </label>
                  </div>
                  <button type="submit" class="btn btn-primary w-100">
                    <Icon name="box-arrow-in-right" /> Sign In
                  </button>
                </form>
              </div>
            </div>
          </div>
        </div>
      </main>
    </Document>
  );
}
