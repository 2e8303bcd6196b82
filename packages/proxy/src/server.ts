import type { AddressInfo } from "node:net";
import http, { type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "./app.js";
import { lazyFetch } from "./admin/lazy.js";
import type { EventBus } from "./bus/port.js";
import { buildDeps } from "./compose.js";
import type { Config } from "./config.js";
import type { Domain } from "./domain.js";
import type { Gateway } from "./gateway/handler.js";
import type { Logger } from "./observability/logger.js";
import { currentTokenFile } from "./security/management-token.js";
import type { Database } from "./storage/db.js";
import type { UsageRecorder } from "./usage/recorder.js";
import { VERSION } from "./version.js";

export interface RunningServer {
  apiUrl: string;
  adminUrl: string | undefined;
  managementToken: string;
  /** Set when this start generated the embedded management token (main prints it once). */
  generatedTokenFile: string | undefined;
  tokenFile: string | undefined;
  domain: Domain;
  db: Database;
  usage: UsageRecorder;
  bus: EventBus;
  /** Stops accepting, drains in-flight requests until the deadline, flushes and closes storage. */
  stop(): Promise<void>;
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.address === "0.0.0.0" || a.address === "::" ? "localhost" : a.address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${a.port}`;
}

/**
 * Listens with Hono's request listener; when a gateway is given, `/v1` requests (matched on the
 * raw URL, before any dot-segment resolution) go straight to it with the Node request and
 * response: no Web Request/Response objects on the hot path, and bodies stream through.
 */
function listen(fetch: (req: Request) => Response | Promise<Response>, addr: { host: string; port: number }, gateway?: Gateway, logger?: Logger) {
  const hono = getRequestListener(fetch);
  const route = (req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean) => {
    const provider = gateway?.match(req.url ?? "/");
    if (!provider || !gateway) {
      if (expectsContinue) res.writeContinue();
      return void hono(req, res);
    }
    // The gateway sends `100 Continue` itself, once the token is checked.
    gateway.handle(req, res, provider).catch((err: unknown) => {
      logger?.error({ err }, "data plane failure");
      res.destroy();
    });
  };
  const server = http.createServer((req, res) => route(req, res, false));
  server.on("checkContinue", (req, res) => route(req, res, true));
  return new Promise<Server>((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => resolve(server));
  });
}

async function drain(servers: Server[], deadlineMs: number): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => s.closeAllConnections(), deadlineMs);
          s.close(() => {
            clearTimeout(timer);
            resolve();
          });
          s.closeIdleConnections();
        }),
    ),
  );
}

/** Builds the dependencies (compose.ts), the apps on them, and listens. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const deps = await buildDeps(config, logger);
  const { db, domain, managementToken, tokenFile, metrics, bus, usage, gateway, clientIp } = deps;
  let draining = false;
  const app = createApp({
    metrics: config.metrics.enabled ? { metrics, bus: () => bus.stats(), token: config.metrics.token } : undefined,
    domain,
    logger,
    managementToken,
    managementMaxBodyBytes: config.managementMaxBodyBytes,
    healthChecks: deps.healthChecks,
    isDraining: () => draining,
    clientIp,
    authFailures: deps.authFailures,
  });
  const servers: Server[] = [];
  const api = await listen(app.fetch, config.listen, gateway, logger).catch(async (err: unknown) => {
    // The address is taken, say: release what was built before reporting it.
    await deps.close();
    throw err;
  });
  servers.push(api);
  let adminUrl: string | undefined;
  if (config.adminUi.enabled) {
    const admin = lazyFetch(async () => {
      const { createAdminApp, inProcessBackend } = await import("./admin/index.js");
      return createAdminApp({
        backend: inProcessBackend(domain, managementToken, {
          health: async () => {
            await db.ping();
            return { status: "ok" };
          },
          pipeline: deps.pipeline,
        }),
        sessionSecret: config.adminUi.sessionSecret ?? managementToken,
        secureCookies: config.adminUi.secureCookies,
        publicApiBaseUrl: config.publicBaseUrl ?? urlOf(api),
        version: VERSION,
        logger,
        clientIp,
        maxBodyBytes: config.managementMaxBodyBytes,
        ...(tokenFile ? { managementTokenFile: currentTokenFile(tokenFile.file, managementToken) } : {}),
      });
    });
    const adminServer = await listen(admin, config.adminUi.listen);
    servers.push(adminServer);
    adminUrl = urlOf(adminServer);
  }
  let stopped: Promise<void> | undefined;
  return {
    apiUrl: urlOf(api),
    adminUrl,
    managementToken,
    generatedTokenFile: tokenFile?.generated ? tokenFile.file : undefined,
    tokenFile: tokenFile?.file,
    domain,
    db,
    usage,
    bus,
    stop() {
      stopped ??= (async () => {
        draining = true;
        // Still serving: a load balancer polling /ready sees 503 and stops routing here first.
        if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
        await drain(servers, config.shutdownTimeoutMs);
        await deps.close();
      })();
      return stopped;
    },
  };
}
