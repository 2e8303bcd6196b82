import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root: sst.config.ts, infra/ and the .env of a local setup live here. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

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
// tsconfig, so it is loaded at run time (tsx resolves it) rather than imported statically.
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(repoRoot, "infra", file)).href)) as T;

/** A stage's settings exactly as `sst deploy` resolves them (presets + infra/overrides.ts). */
export async function stageSettings(stage: string): Promise<StageSettingsLike> {
  const [{ resolveStage }, { stageOverrides }] = await Promise.all([load<StageModule>("stage.ts"), load<OverridesModule>("overrides.ts")]);
  return resolveStage(stage, stageOverrides);
}

export const costModel = () => load<CostModule>("cost.ts");
