import type { Network, SecurityGroups } from "./network";
import type { StageSettings } from "./stage";

/** Local PostgreSQL for `sst dev` (docker compose or a native install); links point here in dev. */
export const localPostgres = { host: "localhost", port: 5432, username: "postgres", password: "postgres", database: "llm_proxy" };

/**
 * Aurora PostgreSQL Serverless v2 in the data subnets, reachable only from the services group
 * (and a `bastion` stage's tunnel). Its master password is SST's random one, kept in a Secrets
 * Manager secret (`secretArn`, JSON key `password`) that the tasks reference. `devLocal`
 * (LLM_PROXY_DEV_LOCAL=1) makes `sst dev` use a local PostgreSQL instead of deploying Aurora.
 */
export function createDatabase(s: StageSettings, network: Network, groups: SecurityGroups, devLocal = false) {
  return new sst.aws.Aurora("Database", {
    engine: "postgres",
    database: "llm_proxy",
    // Explicit: SST's default minimum is 0 ACU (auto-pause after 5 idle minutes, SST's default),
    // whose resume delays the first request by seconds: personal stages only (stage.ts).
    scaling: { min: `${s.auroraMinCapacity} ACU`, max: `${s.auroraMaxCapacity} ACU` },
    replicas: s.auroraReader ? 1 : 0,
    vpc: { subnets: network.dataSubnets, securityGroups: [groups.database.id] },
    dev: devLocal ? localPostgres : undefined,
    transform: {
      cluster: (args) => {
        args.deletionProtection = s.auroraDeletionProtection;
        args.backupRetentionPeriod = s.auroraBackupRetentionDays;
        // SST skips the final snapshot; a protected stage keeps one on deletion.
        args.skipFinalSnapshot = !s.auroraDeletionProtection;
        if (s.auroraDeletionProtection) args.finalSnapshotIdentifier = `${$app.name}-${$app.stage}-final`;
        return undefined;
      },
    },
  });
}
