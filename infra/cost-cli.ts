import { parseArgs } from "node:util";
import { formatReport } from "./cost";
import { stageOverrides } from "./overrides";
import { resolveStage } from "./stage";

// `npm run cost -- --stage prod`: the estimate for the stage as it would deploy, with overrides.
const { values } = parseArgs({ options: { stage: { type: "string", default: "prod" } } });
const stage = values.stage ?? "prod";
console.log(formatReport(stage, resolveStage(stage, stageOverrides)));
