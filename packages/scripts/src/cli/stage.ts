import type { Args, Option } from "./command.js";
import type { Context } from "./context.js";
import { CliError, UsageError } from "./errors.js";
import { stageSettings } from "./infra.js";
import { awsSsm, StageParameters } from "./ssm.js";

export const stageOption: Record<string, Option> = {
  stage: { type: "string", help: "SST stage, e.g. prod or staging (env LLM_PROXY_STAGE)" },
};

/** The stage to act on; required so nobody changes prod by forgetting a flag. */
export function stageName(args: Args, ctx: Context): string {
  const stage = args.string("stage") ?? ctx.env.LLM_PROXY_STAGE;
  if (stage === undefined || stage === "") throw new UsageError("--stage is required (e.g. --stage prod)");
  if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(stage)) throw new UsageError(`--stage: "${stage}" is not a valid stage name (letters, digits, dashes)`);
  return stage;
}

/**
 * The stage's region, from the one place `sst deploy` takes it: infra/stage.ts with
 * infra/overrides.ts. AWS_REGION is not consulted: settings written elsewhere would never apply.
 */
async function region(stage: string): Promise<string> {
  try {
    return (await stageSettings(stage)).region;
  } catch (err) {
    throw new CliError(`cannot resolve the region of stage "${stage}" from infra/: ${(err as Error).message}`);
  }
}

/** The stage's Parameter Store settings through the injected or the AWS SDK client. */
export async function stageParameters(args: Args, ctx: Context): Promise<StageParameters> {
  const stage = stageName(args, ctx);
  const r = await region(stage);
  const client = ctx.ssm ? await ctx.ssm(r) : await awsSsm(r);
  return new StageParameters(client, stage);
}
