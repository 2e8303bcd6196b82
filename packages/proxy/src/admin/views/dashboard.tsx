import type { Child } from "hono/jsx";
import type { BackendHealth, PipelineHealth } from "../backend/port.js";
import type { ChartData, UsageRange } from "../series.js";
import { UsageChart } from "./chart.js";
import { Page, type PageFrame } from "./layout.js";
import { Details } from "./blocks.js";
import { Badge, Icon, LinkButton, Time } from "./parts.js";

export interface DashboardStats {
  projects: number;
  activeProjects: number;
  tokens: number;
  liveTokens: number;
  expiredTokens: number;
  totalRequests: number;
  requestsToday: number;
}

export interface DashboardProps {
  frame: PageFrame;
  stats: DashboardStats;
  range: UsageRange;
  charts: { requests: ChartData; tokens: ChartData; errors: ChartData; cache_hits: ChartData; cost_usd: ChartData };
  health: BackendHealth;
  pipeline: PipelineHealth | undefined;
  now: Date;
}

function StatCard(props: { label: string; value: number; icon: string; note: Child }) {
  return (
    <div class="col-sm-6 col-xl-3">
      <div class="card h-100">
        <div class="card-body">
          <p class="text-muted mb-1">
            <Icon name={props.icon} /> {props.label}
          </p>
          <p class="display-6 mb-0">{props.value.toLocaleString("en-US")}</p>
          <p class="small text-muted mb-0">{props.note}</p>
        </div>
      </div>
    </div>
  );
}

const statusColor = (s: "ok" | "degraded" | "down") => (s === "ok" ? "success" : s === "degraded" ? "warning" : "danger");

function PipelineStatus(props: { pipeline: PipelineHealth | undefined }) {
  const p = props.pipeline;
  if (!p) return <Badge color="light">in-process</Badge>;
  return (
    <>
      <Badge color={statusColor(p.status)}>{p.kind}</Badge>
      <ul class="list-unstyled small text-muted mb-0 mt-1">
        {p.lagMs !== undefined ? <li>dispatcher lag {Math.round(p.lagMs / 100) / 10} s</li> : null}
        {p.pending !== undefined ? <li>{p.pending} pending</li> : null}
        {p.published !== undefined ? <li>{p.published} published</li> : null}
        {p.dropped !== undefined ? <li>{p.dropped} dropped</li> : null}
        {p.buffered !== undefined ? <li>{p.buffered} buffered</li> : null}
      </ul>
    </>
  );
}

function SystemCard(props: { health: BackendHealth; pipeline: PipelineHealth | undefined; now: Date; version: string }) {
  return (
    <div class="card h-100">
      <div class="card-header">
        <h2 class="h5 card-title mb-0">System</h2>
      </div>
      <div class="card-body">
        <Details
          split={6}
          rows={[
            ["Management API", <Badge color={statusColor(props.health.status)}>{props.health.status}</Badge>],
            ["Event pipeline", <PipelineStatus pipeline={props.pipeline} />],
            ["Server time", <Time ts={props.now} id="server-time" format="ymd_hms_tz" />],
            ["Version", props.version],
          ]}
        />
      </div>
    </div>
  );
}

const CHARTS = [
  { key: "requests", id: "chart-requests", title: "Requests", empty: "traffic" },
  { key: "tokens", id: "chart-tokens", title: "Tokens (prompt + completion)", empty: "tokens counted" },
  { key: "errors", id: "chart-errors", title: "Errors", empty: "errors" },
  { key: "cache_hits", id: "chart-cache-hits", title: "Cache hits", empty: "cache hits" },
  { key: "cost_usd", id: "chart-spend", title: "Spend (USD, from the price table)", empty: "spend", usd: true },
] as const;

export function DashboardPage(props: DashboardProps) {
  const { stats, range, charts } = props;
  const rangeLink = (r: UsageRange, label: string) => (
    <a class={`btn btn-sm ${r === range ? "btn-secondary" : "btn-outline-secondary"}`} href={`/dashboard?range=${r}`} aria-current={r === range ? "true" : undefined}>
      {label}
    </a>
  );
  return (
    <Page
      frame={props.frame}
      title="Dashboard"
      section="dashboard"
      icon="speedometer2"
      actions={
        <>
          <LinkButton href="/projects/new" icon="folder-plus" tone="btn-primary">New Project</LinkButton>
          <LinkButton href="/tokens/new" icon="key" tone="btn-success">Generate Token</LinkButton>
        </>
      }
    >
      <div class="row g-3 mb-4">
        <StatCard label="Projects" value={stats.projects} icon="folder" note={`${stats.activeProjects} active`} />
        <StatCard label="Total Tokens" value={stats.tokens} icon="key" note={`${stats.tokens - stats.liveTokens - stats.expiredTokens} revoked`} />
        <StatCard label="Active Tokens" value={stats.liveTokens} icon="check-circle" note={`${stats.expiredTokens} expired`} />
        <StatCard label="Requests (12 months)" value={stats.totalRequests} icon="activity" note={`${stats.requestsToday.toLocaleString("en-US")} in the last 24 hours`} />
      </div>
      <div class="d-flex justify-content-between align-items-center flex-wrap gap-2 mb-3">
        <h2 class="h4 mb-0">Usage per project</h2>
        <div class="btn-group" role="group" aria-label="Time range">
          {rangeLink("24h", "Last 24 hours")}
          {rangeLink("7d", "Last 7 days")}
        </div>
      </div>
      <div class="row g-3 mb-4">
        {CHARTS.map((c) => (
          <div class="col-lg-6">
            <UsageChart id={c.id} title={c.title} empty={c.empty} data={charts[c.key]} range={range} usd={"usd" in c} />
          </div>
        ))}
      </div>
      <div class="row g-3">
        <div class="col-lg-6">
          <SystemCard health={props.health} pipeline={props.pipeline} now={props.now} version={props.frame.version} />
        </div>
      </div>
    </Page>
  );
}
