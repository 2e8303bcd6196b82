import { Layout, PageHeader, type PageFrame } from "./layout.js";

export function ErrorPage(props: { frame: PageFrame; status: number; message: string }) {
  const title = props.status === 404 ? "Not Found" : props.status === 403 ? "Forbidden" : "Something went wrong";
  return (
    <Layout frame={props.frame} title={title}>
      <PageHeader icon="exclamation-octagon" title={title} />
      <div class="alert alert-danger error" role="alert">
        {props.message}
      </div>
      <a class="btn btn-outline-secondary" href="/dashboard">
        Back to Dashboard
      </a>
    </Layout>
  );
}
