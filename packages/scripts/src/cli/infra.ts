import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled, this module is part of a bundle in packages/scripts/dist (scripts/build.mjs).
const compiled = path.basename(here) === "dist";

/** The repository root: sst.config.ts, infra/ and the .env of a local setup live here. */
export const repoRoot = path.resolve(here, compiled ? "../../.." : "../../../..");

/** What the CLI reads from infra/stage.ts, infra/overrides.ts and infra/cost.ts. */
export interface StageSettingsLike {
  region: string;
}
export interface CostLine {
  component: string;
  configuration: string;
  monthly: number;
}
interface StageModule {
  resolveStage(stage: string, overrides: unknown): StageSettingsLike;
}
interface OverridesModule {
  stageOverrides: unknown;
}
export interface CostModule {
  estimate(settings: StageSettingsLike, usage?: unknown): CostLine[];
  total(lines: CostLine[]): number;
  formatReport(stage: string, settings: StageSettingsLike): string;
  tiers: { name: string; description: string; apply(s: StageSettingsLike): [StageSettingsLike, unknown] }[];
}

// infra/ is written for SST's bundler (extensionless imports) and type-checked by its own
// tsconfig, so it is loaded at run time rather than imported statically: compiled next to the
// CLI by scripts/build.mjs, or the sources themselves under tsx/vitest.
const load = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(compiled ? path.join(here, "infra", file.replace(/\.ts$/, ".js")) : path.join(repoRoot, "infra", file)).href)) as T;

/** A stage's settings exactly as `sst deploy` resolves them (presets + infra/overrides.ts). */
export async function stageSettings(stage: string): Promise<StageSettingsLike> {
  const [{ resolveStage }, { stageOverrides }] = await Promise.all([load<StageModule>("stage.ts"), load<OverridesModule>("overrides.ts")]);
  return resolveStage(stage, stageOverrides);
}

export const costModel = () => load<CostModule>("cost.ts");
