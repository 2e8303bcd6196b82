import { parseArgs } from "node:util";
import { stageOverrides } from "./overrides";
import { resolveStage } from "./stage";

// `npx tsx infra/region-cli.ts --stage prod`: the stage's region, as sst.config.ts deploys it.
// deploy.yml asks it for the credentials' region, so deploy, CLI and CI share one source.
const { values } = parseArgs({ options: { stage: { type: "string" } } });
if (values.stage === undefined) throw new Error("--stage is required");
console.log(resolveStage(values.stage, stageOverrides).region);
