import type { Child } from "hono/jsx";
import type { AssetUrls } from "../assets.js";
import type { Flash } from "../context.js";
import { CsrfField, FlashAlert, Icon, LinkButton } from "./parts.js";

/** What every page needs from the request: assets, the CSRF token, the one-time flash message. */
export interface PageFrame {
  urls: AssetUrls;
  version: string;
  csrf: string;
  flash: Flash | undefined;
}

export type Section = "dashboard" | "projects" | "tokens" | "audit";

const NAV: { section: Section; href: string; label: string; icon: string }[] = [
  { section: "dashboard", href: "/dashboard", label: "Dashboard", icon: "speedometer2" },
  { section: "projects", href: "/projects", label: "Projects", icon: "folder" },
  { section: "tokens", href: "/tokens", label: "Tokens", icon: "key" },
  { section: "audit", href: "/audit", label: "Audit", icon: "shield-check" },
];

export function Document(props: { title: string; urls: AssetUrls; children: Child; bodyClass?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} - LLM Proxy Admin`}</title>
        <link rel="stylesheet" href={props.urls.bootstrapCss} />
        <link rel="stylesheet" href={props.urls.iconsCss} />
        <link rel="stylesheet" href={props.urls.adminCss} />
      </head>
      <body class={props.bodyClass}>
        {props.children}
        <script src={props.urls.bootstrapJs} defer></script>
        <script src={props.urls.adminJs} defer></script>
      </body>
    </html>
  );
}

/** The signed-in page frame: one `nav` (the original's suite looks for exactly one), main content, footer. */
export function Layout(props: { frame: PageFrame; title: string; section?: Section; children: Child }) {
  const { frame } = props;
  return (
    <Document title={props.title} urls={frame.urls}>
      <a class="visually-hidden-focusable" href="#main">
        Skip to content
      </a>
      <nav class="navbar navbar-expand navbar-dark bg-dark" aria-label="Main">
        <div class="container-fluid flex-wrap">
          <a class="navbar-brand" href="/dashboard">
            <Icon name="shield-lock" /> LLM Proxy
          </a>
          <ul class="navbar-nav me-auto flex-wrap">
            {NAV.map((n) => (
              <li class="nav-item">
                <a
                  class={`nav-link${n.section === props.section ? " active" : ""}`}
                  href={n.href}
                  aria-current={n.section === props.section ? "page" : undefined}
                >
                  <Icon name={n.icon} /> {n.label}
                </a>
              </li>
            ))}
          </ul>
          <form method="post" action="/auth/logout" class="d-flex">
            <CsrfField token={frame.csrf} />
            <button type="submit" class="btn btn-outline-light btn-sm">
              <Icon name="box-arrow-right" /> Sign out
            </button>
          </form>
        </div>
      </nav>
      <main id="main" class="container-xl py-4">
        <FlashAlert flash={frame.flash} />
        {props.children}
      </main>
      <footer class="container-xl pb-4 text-muted small">llm-proxy {frame.version}</footer>
    </Document>
  );
}

/** Heading row: the page's h1 and its actions. */
export function PageHeader(props: { icon: string; title: Child; children?: Child }) {
  return (
    <div class="d-flex justify-content-between align-items-center flex-wrap gap-2 mb-4">
      <h1 class="h2 mb-0">
        <Icon name={props.icon} /> {props.title}
      </h1>
      {props.children ? <div class="d-flex gap-2 flex-wrap">{props.children}</div> : null}
    </div>
  );
}

/**
 * A signed-in page whose h1 repeats its title, with header actions beside it; `back` is the
 * usual single outline "back" link (`icon` only where it is not an arrow).
 */
export function Page(props: {
  frame: PageFrame;
  title: string;
  section: Section;
  icon: string;
  back?: { href: string; label: string; icon?: string };
  actions?: Child;
  children: Child;
}) {
  const { back } = props;
  const actions = back ? (
    <LinkButton href={back.href} icon={back.icon ?? "arrow-left"} tone="btn-outline-secondary">
      {back.label}
    </LinkButton>
  ) : (
    props.actions
  );
  return (
    <Layout frame={props.frame} title={props.title} section={props.section}>
      <PageHeader icon={props.icon} title={props.title}>
        {actions}
      </PageHeader>
      {props.children}
    </Layout>
  );
}
