import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { platformDir } from "./platform";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The synth tests load SST's platform sources (.sst/platform, gitignored), which `sst install`
 * generates. A fresh clone has none: install it once here, from the npm registry only (no Bun,
 * no telemetry, no provider downloads), as .ci/run does, so `npm test` runs the synth suites.
 */
export function setup(): void {
  if (existsSync(path.join(platformDir, "src/components/index.ts")) && existsSync(path.join(platformDir, "node_modules/@pulumi/aws"))) return;
  console.error("infra: .sst/platform is missing: running `sst install` (once, about a minute)");
  execFileSync(path.join(root, "node_modules/.bin/sst"), ["install", "--stage", "dev"], {
    cwd: root,
    env: { ...process.env, SST_SKIP_DEPENDENCY_CHECK: "1", SST_NO_BUN: "1", SST_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 600_000,
  });
}
