import { Hono } from "hono";
import { safeEqual } from "../security/secrets.js";
import { bearerToken } from "./auth.js";

export interface HealthCheck {
  name: string;
  /** Required checks make /health answer 503 when they fail. */
  required: boolean;
  check(): Promise<void>;
}

const TIMEOUT_MS = 2000;

async function run(check: HealthCheck) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS))),
    ]);
    return { status: "up" as const, latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { status: "down" as const, error: (err as Error).message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthOptions {
  version: string;
  isDraining: () => boolean;
  /** Bearers that may read dependency error text (the management token, METRICS_TOKEN). */
  detailTokens: string[];
}

/**
 * `/health` checks dependencies (error text only for a caller holding one of `detailTokens`:
 * it can name hosts and users); `/ready` says whether this process can serve (listening, config
 * loaded, not draining) and checks no dependency, so a database blip does not take every
 * instance out of the load balancer; `/live` only that the process answers.
 */
export function healthApi(checks: HealthCheck[], opts: HealthOptions): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    const results = await Promise.all(checks.map(async (ch) => [ch.name, await run(ch)] as const));
    const failing = checks.some((ch, i) => ch.required && results[i]?.[1].status === "down");
    const degraded = results.some(([, r]) => r.status === "down");
    const status = failing ? "down" : opts.isDraining() ? "draining" : degraded ? "degraded" : "ok";
    const presented = bearerToken(c.req.header("authorization"));
    const detailed = presented !== undefined && opts.detailTokens.some((t) => safeEqual(presented, t));
    const shown = detailed ? results : results.map(([name, { error: _error, ...rest }]) => [name, rest] as const);
    return c.json({ status, timestamp: new Date().toISOString(), version: opts.version, checks: Object.fromEntries(shown) }, failing ? 503 : 200);
  });
  app.get("/ready", (c) => (opts.isDraining() ? c.text("draining", 503) : c.text("ready")));
  app.get("/live", (c) => c.text("alive"));
  return app;
}
