import type { Child } from "hono/jsx";
import type { BackendHealth, PipelineHealth } from "../backend/port.js";
import type { ChartData, UsageRange } from "../series.js";
import { UsageChart } from "./chart.js";
import { Layout, PageHeader, type PageFrame } from "./layout.js";
import { Badge, Icon, Time } from "./parts.js";

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
  charts: { requests: ChartData; tokens: ChartData; errors: ChartData; cache_hits: ChartData };
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

function SystemCard(props: { health: BackendHealth; pipeline: PipelineHealth | undefined; now: Date; version: string }) {
  const p = props.pipeline;
  return (
    <div class="card h-100">
      <div class="card-header">
        <h2 class="h5 card-title mb-0">System</h2>
      </div>
      <div class="card-body">
        <dl class="row mb-0">
          <dt class="col-6">Management API</dt>
          <dd class="col-6">
            <Badge color={statusColor(props.health.status)}>{props.health.status}</Badge>
          </dd>
          <dt class="col-6">Event pipeline</dt>
          <dd class="col-6">
            {p ? (
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
            ) : (
              <Badge color="light">in-process</Badge>
            )}
          </dd>
          <dt class="col-6">Server time</dt>
          <dd class="col-6">
            <Time ts={props.now} id="server-time" format="ymd_hms_tz" />
          </dd>
          <dt class="col-6">Version</dt>
          <dd class="col-6">{props.version}</dd>
        </dl>
      </div>
    </div>
  );
}

export function DashboardPage(props: DashboardProps) {
  const { stats, range, charts } = props;
  const rangeLink = (r: UsageRange, label: string) => (
    <a class={`btn btn-sm ${r === range ? "btn-secondary" : "btn-outline-secondary"}`} href={`/dashboard?range=${r}`} aria-current={r === range ? "true" : undefined}>
      {label}
    </a>
  );
  return (
    <Layout frame={props.frame} title="Dashboard" section="dashboard">
      <PageHeader icon="speedometer2" title="Dashboard">
        <a class="btn btn-primary" href="/projects/new">
          <Icon name="folder-plus" /> New Project
        </a>
        <a class="btn btn-success" href="/tokens/new">
          <Icon name="key" /> Generate Token
        </a>
      </PageHeader>
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
        <div class="col-lg-6">
          <UsageChart id="chart-requests" title="Requests" empty="traffic" data={charts.requests} range={range} />
        </div>
        <div class="col-lg-6">
          <UsageChart id="chart-tokens" title="Tokens (prompt + completion)" empty="tokens counted" data={charts.tokens} range={range} />
        </div>
        <div class="col-lg-6">
          <UsageChart id="chart-errors" title="Errors" empty="errors" data={charts.errors} range={range} />
        </div>
        <div class="col-lg-6">
          <UsageChart id="chart-cache-hits" title="Cache hits" empty="cache hits" data={charts.cache_hits} range={range} />
        </div>
      </div>
      <div class="row g-3">
        <div class="col-lg-6">
          <SystemCard health={props.health} pipeline={props.pipeline} now={props.now} version={props.frame.version} />
        </div>
      </div>
    </Layout>
  );
}
