import { ignoredSettingMessage, type Env } from "@llm-proxy/config";
import { ConfigError, loadConfig, startEnv, type Config } from "./config.js";
import { createLogger } from "./observability/logger.js";
import { encryptExisting, encryptionStatus } from "./security/backfill.js";
import { createSecrets } from "./security/secrets.js";
import { startServer } from "./server.js";
import { VERSION } from "./version.js";
import { clientIpResolver } from "./api/client-ip.js";
import { openDatabase } from "./storage/db.js";
import { migrateUp, migrationStatus } from "./storage/migrate.js";
import { lockDataDir } from "./storage/lock.js";

/** Embedded mode: one process per data directory (PostgreSQL mode runs any number of instances). */
function lockEmbedded(config: Config, command: string) {
  return config.storage.kind === "embedded" ? lockDataDir(config.dataDir, command) : undefined;
}

/** Serving without the original's data would hand out a fresh, empty proxy: import it first. */
function refuseUnimported(config: Config): void {
  const file = config.originalSqliteData;
  if (file === undefined) return;
  throw new ConfigError(
    `DATABASE_PATH: ${file} holds the original llm-proxy's SQLite data (DB_DRIVER=sqlite). Import it first:\n` +
      `  npm run migrate -- import --from ${file}\n` +
      "then remove DB_DRIVER and DATABASE_PATH from the environment (.env) and start again.",
  );
}

async function serveCommand(config: Config, dotenvFile: string | undefined): Promise<void> {
  refuseUnimported(config);
  lockEmbedded(config, "serve");
  const logger = createLogger(config.log);
  if (dotenvFile) logger.info({ file: dotenvFile }, "settings read from the environment over this file");
  for (const ignored of config.ignoredSettings) logger.warn({ setting: ignored.name }, ignoredSettingMessage(ignored));
  const server = await startServer(config, logger);
  logger.info({ mode: config.mode, listen: config.listen, storage: config.storage.kind }, "llm-proxy started");
  const lines = [`llm-proxy is running (${config.mode} mode)`, `  API, /v1 and /manage: ${server.apiUrl}`];
  if (server.adminUrl) lines.push(`  admin UI:              ${server.adminUrl}`);
  if (server.generatedTokenFile) {
    lines.push(`  management token (shown once, kept in ${server.generatedTokenFile}):`, `    ${server.managementToken}`);
  } else if (server.tokenFile) {
    lines.push(`  management token: in ${server.tokenFile}`);
  }
  if (/^(127\.|::1$|localhost$)/.test(config.listen.host)) lines.push("  reachable from this machine only (set LISTEN_ADDR=:8080 and ADMIN_UI_LISTEN_ADDR=:8081 to listen on every interface)");
  process.stderr.write(lines.join("\n") + "\n");

  const stop = (signal: string) => {
    logger.info({ signal }, "shutting down: draining in-flight requests");
    void server.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

async function migrateCommand(sub: string, config: Config, args: string[]): Promise<void> {
  const lock = lockEmbedded(config, `migrate ${sub}`);
  const db = await openDatabase(config.storage);
  const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + "\n");
  try {
    if (sub === "up") print({ applied: await migrateUp(db.sql) });
    else if (sub === "status") print(await migrationStatus(db.sql));
    else if (sub === "encrypt") {
      await migrateUp(db.sql);
      print(await encryptExisting(db.sql, createSecrets(config.encryptionKey)));
    } else if (sub === "encrypt-status") {
      await migrateUp(db.sql);
      print(await encryptionStatus(db.sql));
    } else if (sub === "import") {
      // Loaded only for this command: it brings sql.js (SQLite as WebAssembly).
      const { importCommand } = await import("./storage/import/command.js");
      process.stdout.write(await importCommand(args, db.sql, createSecrets(config.encryptionKey)));
    } else throw new ConfigError(`unknown migrate command "${sub}" (expected up, status, encrypt, encrypt-status or import)`);
  } finally {
    await db.close();
    lock?.release();
  }
}

/** `admin [--listen :8081] [--api-base-url URL]`: the admin UI alone, against a remote management API. */
async function adminCommand(args: string[], config: Config, env: Env): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const flags = { ...(flag("--listen") ? { ADMIN_UI_LISTEN_ADDR: flag("--listen") } : {}), ...(flag("--api-base-url") ? { ADMIN_UI_API_BASE_URL: flag("--api-base-url") } : {}) };
  const c = Object.keys(flags).length > 0 ? loadConfig(env, flags) : config;
  const logger = createLogger(c.log);
  const secret = c.adminUi.sessionSecret;
  if (!secret) throw new ConfigError("ADMIN_UI_SESSION_SECRET: required for the standalone admin UI (at least 16 characters)");
  const { runStandaloneAdmin } = await import("./admin/index.js");
  const admin = await runStandaloneAdmin({
    apiBaseUrl: c.adminUi.apiBaseUrl,
    listen: c.adminUi.listen,
    sessionSecret: secret,
    secureCookies: c.adminUi.secureCookies,
    ...(c.publicBaseUrl ? { publicApiBaseUrl: c.publicBaseUrl } : {}),
    version: VERSION,
    logger,
    clientIp: clientIpResolver(c.trustedProxies),
    maxBodyBytes: c.managementMaxBodyBytes,
  });
  process.stderr.write(`llm-proxy admin UI: ${admin.url} (management API ${c.adminUi.apiBaseUrl})\n`);
  const stop = () => void admin.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

async function main(argv: string[]): Promise<void> {
  const start = startEnv();
  const config = loadConfig(start.env);
  const [command = "serve", sub = "up"] = argv;
  if (command === "migrate") return migrateCommand(sub, config, argv.slice(2));
  if (command === "serve") return serveCommand(config, start.file);
  if (command === "admin") return adminCommand(argv.slice(1), config, start.env);
  throw new ConfigError(`unknown command "${command}" (expected serve, admin or migrate)`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : `failed: ${(err as Error).message}`;
  process.stderr.write(`llm-proxy: ${message}\n`);
  process.exit(1);
});
