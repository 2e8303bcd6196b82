import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { checkSecretName, masked } from "../cli/secrets.js";
import { stageName, stageOption } from "../cli/stage.js";
import { listSecrets } from "../cli/sst.js";

export const secretGet: Command = {
  name: "secret:get",
  summary: "Say whether a secret is set for a stage; with --reveal print its value alone (for $(…)).",
  args: "<Name>",
  options: { ...stageOption, reveal: { type: "boolean", help: "print the value itself" } },
  details: ["example: export MANAGEMENT_TOKEN=$(llm-proxy secret get ManagementToken --stage prod --reveal)"],
  async run(args, ctx) {
    const name = checkSecretName(args.positional(0, "<Name> (e.g. ManagementToken)"));
    args.noMorePositionals(1);
    const stage = stageName(args, ctx);
    const value = (await listSecrets(ctx, stage)).get(name);
    if (value === undefined) throw new CliError(`${name} is not set for stage ${stage} (set it with: llm-proxy secret set ${name} --stage ${stage})`);
    println(ctx.stdout, args.flag("reveal") ? value : `${name}: ${masked(value)}`);
  },
};
