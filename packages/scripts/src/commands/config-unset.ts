import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { stageOption, stageParameters } from "../cli/stage.js";

export const configUnset: Command = {
  name: "config:unset",
  summary: "Delete a per-stage runtime setting (the service default applies after the next sst deploy).",
  args: "<NAME>",
  options: { ...stageOption },
  async run(args, ctx) {
    const name = args.positional(0, "<NAME> (e.g. LOG_LEVEL)");
    args.noMorePositionals(1);
    // Any name: removing a stray parameter is how to clean one up.
    const params = await stageParameters(args, ctx);
    const removed = await params.remove(name);
    println(ctx.stdout, removed ? `removed ${params.path(name)}` : `${params.path(name)} was not set`);
  },
};
