import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { ClientIpResolver } from "../api/client-ip.js";
import type { Logger } from "../observability/logger.js";
import { createAdminApp } from "./app.js";
import { httpBackend } from "./backend/http.js";

export interface StandaloneAdminOptions {
  /** Where the management API listens, e.g. http://localhost:8080. */
  apiBaseUrl: string;
  listen: { host: string; port: number };
  sessionSecret: string;
  secureCookies: boolean;
  /** Defaults to `apiBaseUrl`: the data plane is served by the same listener. */
  publicApiBaseUrl?: string;
  version: string;
  logger?: Logger;
  clientIp?: ClientIpResolver;
  maxBodyBytes?: number;
}

/** `llm-proxy admin --api-base-url …`: the admin UI alone, talking to a remote management API. */
export function runStandaloneAdmin(opts: StandaloneAdminOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const app = createAdminApp({
    backend: httpBackend(opts.apiBaseUrl),
    sessionSecret: opts.sessionSecret,
    secureCookies: opts.secureCookies,
    publicApiBaseUrl: opts.publicApiBaseUrl ?? opts.apiBaseUrl,
    version: opts.version,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.clientIp ? { clientIp: opts.clientIp } : {}),
    ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
  });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.listen.host, port: opts.listen.port }, (info) => {
      const host = info.address.includes(":") ? `[${info.address}]` : info.address;
      resolve({
        server: server as Server,
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => (server as Server).close(() => done())),
      });
    }) as Server;
    server.once("error", reject);
  });
}
