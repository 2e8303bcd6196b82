import { createServer, type Server } from "node:http";
import type { Redis } from "ioredis";
import type { ConsumerStatus } from "./consumer.js";
import type { Metrics } from "./metrics.js";
import type { StreamStats } from "./stream/group.js";
import { withTimeout } from "./timeout.js";

/** The original's rule: a backlog with no progress for 5 minutes means a stuck dispatcher. */
const STALL_MS = 5 * 60_000;
const MAX_LAG = 10_000;

export type HealthDeps = { redis: Redis; metrics: Metrics; status: () => ConsumerStatus; stats: () => Promise<StreamStats> };

/**
 * Whether events are being delivered: 503 with the reasons when Redis is unreachable, the read
 * loop keeps failing (e.g. the group cannot be read or recreated), it stopped, or a backlog made no
 * progress for 5 minutes. For alarms and people; the container health check is /live.
 */
export async function health(deps: HealthDeps): Promise<{ healthy: boolean; body: Record<string, unknown> }> {
  const status = deps.status();
  const [redis, stats] = await Promise.all([
    withTimeout(deps.redis.ping(), "redis PING").then(() => "ok", (e: Error) => `error: ${e.message}`),
    // Bounded by the composition root (main.ts), which serves /metrics from the same function.
    deps.stats().catch(() => null),
  ]);
  const backlog = stats ? stats.pending + (stats.lag ?? 0) : 0;
  const stalled = backlog > 0 && Date.now() - status.lastProgressAt > STALL_MS;
  const failing = status.lastError !== null && "delivery_failing";
  const problems = [redis !== "ok" && "redis", !status.running && "consumer_stopped", failing, stalled && "no_progress"].filter(Boolean);
  // A big backlog that is shrinking is a dispatcher catching up: restarting it would not help.
  const warnings = backlog > MAX_LAG ? ["lag_high"] : [];
  return {
    healthy: problems.length === 0,
    body: { status: problems.length === 0 ? "ok" : "unhealthy", problems, reason: status.lastError, warnings, redis, consumer: status, stream: stats },
  };
}

/**
 * `/live` (200 while the process runs: the container health check, so a dispatcher waiting out a
 * Redis outage is not replaced), `/health` (JSON, 503 when delivery is stalled) and `/metrics`.
 */
export function createHttpServer(deps: HealthDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, type: string, body: string) => res.writeHead(status, { "content-type": type }).end(body);
    if (req.method !== "GET" && req.method !== "HEAD") return void reply(405, "text/plain", "method not allowed\n");
    if (path === "/live") return void reply(200, "application/json", '{"status":"ok"}');
    if (path === "/health") {
      void health(deps).then(({ healthy, body }) => reply(healthy ? 200 : 503, "application/json", JSON.stringify(body)));
      return;
    }
    if (path === "/metrics") {
      void deps.metrics.registry.metrics().then(
        (text) => reply(200, deps.metrics.registry.contentType, text),
        (e: Error) => reply(500, "text/plain", `${e.message}\n`),
      );
      return;
    }
    reply(404, "text/plain", "not found\n");
  });
}
