import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { printJson } from "../cli/output.js";
import { checkSettingName } from "../cli/settings.js";
import { stageOption, stageParameters } from "../cli/stage.js";
import { jsonOption } from "../cli/manage-api.js";

export const configGet: Command = {
  name: "config:get",
  summary: "Print one per-stage runtime setting (exit 1 when it is not set).",
  args: "<NAME>",
  options: { ...stageOption, ...jsonOption },
  async run(args, ctx) {
    const name = args.positional(0, "<NAME> (e.g. LOG_LEVEL)");
    args.noMorePositionals(1);
    checkSettingName(name);
    const params = await stageParameters(args, ctx);
    const value = await params.get(name);
    if (args.flag("json")) {
      printJson(ctx.stdout, { name, path: params.path(name), value: value ?? null });
      return value === undefined ? 1 : 0;
    }
    if (value === undefined) throw new CliError(`${name} is not set for stage ${params.stage} (the service default applies)`);
    println(ctx.stdout, value);
  },
};
