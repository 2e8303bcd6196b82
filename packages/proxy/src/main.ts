import { ConfigError, loadConfig, type Config } from "./config.js";
import { createLogger } from "./observability/logger.js";
import { encryptExisting, encryptionStatus } from "./security/backfill.js";
import { createSecrets } from "./security/secrets.js";
import { startServer } from "./server.js";
import { openDatabase } from "./storage/db.js";
import { migrateUp, migrationStatus } from "./storage/migrate.js";

async function serveCommand(config: Config): Promise<void> {
  const logger = createLogger(config.log);
  const server = await startServer(config, logger);
  logger.info({ mode: config.mode, listen: config.listen, storage: config.storage.kind }, "llm-proxy started");
  const lines = [`llm-proxy is running (${config.mode} mode)`, `  API, /v1 and /manage: ${server.apiUrl}`];
  if (server.generatedTokenFile) {
    lines.push(`  management token (shown once, kept in ${server.generatedTokenFile}):`, `    ${server.managementToken}`);
  } else if (server.tokenFile) {
    lines.push(`  management token: in ${server.tokenFile}`);
  }
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

async function migrateCommand(sub: string, config: Config): Promise<void> {
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
    } else throw new ConfigError(`unknown migrate command "${sub}" (expected up, status, encrypt or encrypt-status)`);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const config = loadConfig();
  const [command = "serve", sub = "up"] = argv;
  if (command === "migrate") return migrateCommand(sub, config);
  if (command === "serve") return serveCommand(config);
  throw new ConfigError(`unknown command "${command}" (expected serve or migrate)`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : `failed: ${(err as Error).message}`;
  process.stderr.write(`llm-proxy: ${message}\n`);
  process.exit(1);
});
