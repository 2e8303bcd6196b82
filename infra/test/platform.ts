import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Synth tests need SST's platform sources, which `sst install` generates into .sst/platform
 * (gitignored). Without them the suites skip with a message; with REQUIRE_SERVICES=1 (CI) they fail.
 */
export const platformDir = path.resolve(import.meta.dirname, "../../.sst/platform");

export function platformReady(): boolean {
  if (existsSync(path.join(platformDir, "src/components/index.ts")) && existsSync(path.join(platformDir, "node_modules/@pulumi/aws"))) return true;
  const hint = "SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_TELEMETRY_DISABLED=1 npx sst install --stage dev";
  if (process.env.REQUIRE_SERVICES === "1") throw new Error(`REQUIRE_SERVICES=1 but .sst/platform is missing: run \`${hint}\``);
  console.warn(`[skip] .sst/platform is missing: synth tests are skipped (run \`${hint}\`, or REQUIRE_SERVICES=1 to fail instead)`);
  return false;
}
