import { createServer, type Server } from "node:http";
import type { Redis } from "ioredis";
import type { ConsumerStatus } from "./consumer.js";
import type { Metrics } from "./metrics.js";
import type { StreamStats } from "./stream/group.js";

/** The original's rule: a backlog with no progress for 5 minutes means a stuck dispatcher. */
const STALL_MS = 5 * 60_000;
const MAX_LAG = 10_000;

export type HealthDeps = { redis: Redis; metrics: Metrics; status: () => ConsumerStatus; stats: () => Promise<StreamStats> };

export async function health(deps: HealthDeps): Promise<{ healthy: boolean; body: Record<string, unknown> }> {
  const status = deps.status();
  const redis = await deps.redis.ping().then(() => "ok", (e: Error) => `error: ${e.message}`);
  const stats = await deps.stats().catch(() => null);
  const backlog = stats ? stats.pending + (stats.lag ?? 0) : 0;
  const stalled = backlog > 0 && Date.now() - status.lastProgressAt > STALL_MS;
  const problems = [redis !== "ok" && "redis", !status.running && "consumer_stopped", stalled && "no_progress"].filter(Boolean);
  // A big backlog that is shrinking is a dispatcher catching up: restarting it would not help.
  const warnings = backlog > MAX_LAG ? ["lag_high"] : [];
  return {
    healthy: problems.length === 0,
    body: { status: problems.length === 0 ? "ok" : "unhealthy", problems, warnings, redis, consumer: status, stream: stats },
  };
}

/** `/health` (JSON, 503 when unhealthy) and `/metrics` (Prometheus text) on a small side port. */
export function createHttpServer(deps: HealthDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, type: string, body: string) => res.writeHead(status, { "content-type": type }).end(body);
    if (req.method !== "GET" && req.method !== "HEAD") return void reply(405, "text/plain", "method not allowed\n");
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
