import { Hono } from "hono";

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

/** `/health` checks dependencies; `/ready` says whether to send traffic; `/live` only that the process answers. */
export function healthApi(checks: HealthCheck[], version: string, isDraining: () => boolean): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    const results = await Promise.all(checks.map(async (ch) => [ch.name, await run(ch)] as const));
    const failing = checks.some((ch, i) => ch.required && results[i]?.[1].status === "down");
    const degraded = results.some(([, r]) => r.status === "down");
    const status = failing ? "down" : isDraining() ? "draining" : degraded ? "degraded" : "ok";
    return c.json(
      { status, timestamp: new Date().toISOString(), version, checks: Object.fromEntries(results) },
      failing ? 503 : 200,
    );
  });
  app.get("/ready", async (c) => {
    if (isDraining()) return c.text("draining", 503);
    const results = await Promise.all(checks.filter((ch) => ch.required).map(run));
    return results.every((r) => r.status === "up") ? c.text("ready") : c.text("not ready", 503);
  });
  app.get("/live", (c) => c.text("alive"));
  return app;
}
