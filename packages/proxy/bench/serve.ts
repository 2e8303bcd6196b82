import type { Server } from "node:http";
import { Pool } from "undici";

/** The undici pool the bench's pipes forward with, kept alive as the proxy keeps its own. */
export function upstreamPool(upstream: URL): Pool {
  return new Pool(upstream.origin, { connections: 1024, keepAliveTimeout: 90_000 });
}

/**
 * Serves a bench process: listens on a free loopback port, prints `port N` (what run.ts waits
 * for), and on SIGTERM runs `stop` (if any) and exits.
 */
export function serve(server: Server, stop?: () => unknown): void {
  server.keepAliveTimeout = 120_000;
  server.listen(0, "127.0.0.1", () => {
    const addr = server.address();
    process.stdout.write(`port ${typeof addr === "object" && addr ? addr.port : 0}\n`);
  });
  process.on("SIGTERM", () => void Promise.resolve(stop?.()).finally(() => process.exit(0)));
}
