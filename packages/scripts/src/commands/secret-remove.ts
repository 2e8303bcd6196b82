import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { checkSecretName } from "../cli/secrets.js";
import { stageName, stageOption } from "../cli/stage.js";
import { runSst, sstFailure } from "../cli/sst.js";

export const secretRemove: Command = {
  name: "secret:remove",
  summary: "Remove a secret from a stage (optional sink keys go back to empty: that sink turns off).",
  args: "<Name>",
  options: stageOption,
  async run(args, ctx) {
    const name = checkSecretName(args.positional(0, "<Name> (e.g. LunaryApiKey)"));
    args.noMorePositionals(1);
    const stage = stageName(args, ctx);
    const r = await runSst(ctx, ["secret", "remove", name, "--stage", stage]);
    if (r.code !== 0) throw sstFailure(`sst secret remove ${name}`, r);
    println(ctx.stdout, `removed ${name} from stage ${stage}`);
  },
};
