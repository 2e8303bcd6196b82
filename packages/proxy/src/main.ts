import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import type { Domain } from "./domain.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMemoryChangeFeed } from "./revocation/memory.js";
import { encryptExisting, encryptionStatus } from "./security/backfill.js";
import { createSecrets } from "./security/secrets.js";
import { openDatabase, type Database } from "./storage/db.js";
import { migrateUp, migrationStatus } from "./storage/migrate.js";

/** Embedded mode only: a management token generated on first start and kept in the data dir. */
async function embeddedManagementToken(config: Config): Promise<{ token: string; generated: boolean; file: string }> {
  const file = path.join(config.dataDir, "management-token");
  try {
    return { token: (await fs.readFile(file, "utf8")).trim(), generated: false, file };
  } catch {
    const token = randomBytes(32).toString("base64url");
    await fs.mkdir(config.dataDir, { recursive: true });
    await fs.writeFile(file, token + "\n", { mode: 0o600 });
    return { token, generated: true, file };
  }
}

function displayUrl(addr: { host: string; port: number }): string {
  const host = addr.host === "0.0.0.0" || addr.host === "::" ? "localhost" : addr.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;
}

function listen(app: { fetch: (req: Request, env: never) => Response | Promise<Response> }, addr: { host: string; port: number }) {
  return new Promise<Server>((resolve, reject) => {
    const server = serve({ fetch: app.fetch as never, hostname: addr.host, port: addr.port }, () => resolve(server as Server));
    server.once("error", reject);
  });
}

/** Stops accepting, lets in-flight requests finish until the deadline, then cuts what is left. */
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

async function serveCommand(config: Config, logger: Logger, db: Database): Promise<void> {
  let managementToken = config.managementToken;
  let tokenNotice: string | undefined;
  if (managementToken === undefined) {
    const t = await embeddedManagementToken(config);
    managementToken = t.token;
    tokenNotice = t.generated ? `management token (shown once, kept in ${t.file}): ${t.token}` : `management token: see ${t.file}`;
  }
  const domain: Domain = { sql: db.sql, secrets: createSecrets(config.encryptionKey), changes: createMemoryChangeFeed() };
  let draining = false;
  const app = createApp({
    domain,
    logger,
    managementToken,
    managementMaxBodyBytes: config.managementMaxBodyBytes,
    healthChecks: [{ name: "database", required: true, check: () => db.ping() }],
    isDraining: () => draining,
  });
  const servers = [await listen(app, config.listen)];
  logger.info({ mode: config.mode, listen: config.listen, storage: config.storage.kind }, "llm-proxy started");
  const lines = [`llm-proxy is running (${config.mode} mode)`, `  API and /manage:  ${displayUrl(config.listen)}`];
  if (tokenNotice) lines.push(`  ${tokenNotice}`);
  process.stderr.write(lines.join("\n") + "\n");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    draining = true;
    logger.info({ signal }, "shutting down: draining in-flight requests");
    await drain(servers, config.shutdownTimeoutMs);
    await domain.changes.close();
    await db.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function migrateCommand(args: string[], config: Config, db: Database): Promise<void> {
  const sub = args[0] ?? "up";
  const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + "\n");
  if (sub === "up") print({ applied: await migrateUp(db.sql) });
  else if (sub === "status") print(await migrationStatus(db.sql));
  else if (sub === "encrypt") print(await encryptExisting(db.sql, createSecrets(config.encryptionKey)));
  else if (sub === "encrypt-status") print(await encryptionStatus(db.sql));
  else throw new ConfigError(`unknown migrate command "${sub}" (expected up, status, encrypt or encrypt-status)`);
}

async function main(argv: string[]): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.log);
  const db = await openDatabase(config.storage);
  const [command, ...rest] = argv;
  if (command === "migrate") {
    try {
      if (rest[0] !== "status" && rest[0] !== "up") await migrateUp(db.sql);
      await migrateCommand(rest, config, db);
    } finally {
      await db.close();
    }
    return;
  }
  if (command !== undefined && command !== "serve") throw new ConfigError(`unknown command "${command}" (expected serve or migrate)`);
  const applied = await migrateUp(db.sql);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  await serveCommand(config, logger, db);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`llm-proxy: ${err.message}\n`);
  } else {
    process.stderr.write(`llm-proxy: failed to start: ${(err as Error).message}\n`);
  }
  process.exit(1);
});
