import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { checkSetting, isSecretSetting, settingNames } from "../cli/settings.js";
import { stageOption, stageParameters } from "../cli/stage.js";

export const configSet: Command = {
  name: "config:set",
  summary: "Set a per-stage runtime setting in SSM Parameter Store (applied at the next sst deploy).",
  args: "<NAME> <value>",
  options: { ...stageOption },
  details: [`settings: ${settingNames.join(", ")}`, "example: llm-proxy config set LOG_LEVEL debug --stage staging"],
  async run(args, ctx) {
    const name = args.positional(0, "<NAME> (e.g. LOG_LEVEL)");
    const value = args.positional(1, `<value> for ${name}`);
    args.noMorePositionals(2);
    checkSetting(name, value);
    const params = await stageParameters(args, ctx);
    const secret = isSecretSetting(name);
    await params.put(name, value, secret);
    println(ctx.stdout, `${params.path(name)} = ${secret ? "(secret: SecureString)" : value}`);
    println(ctx.stderr, `Applies to the services at the next \`npx sst deploy --stage ${params.stage}\`.`);
  },
};
