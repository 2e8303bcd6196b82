import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { costModel, stageSettings } from "../cli/infra.js";
import { jsonOption } from "../cli/manage-api.js";
import { printJson } from "../cli/output.js";
import { stageName, stageOption } from "../cli/stage.js";

export const cost: Command = {
  name: "cost",
  summary: "Estimated monthly AWS cost of a stage as it would deploy (infra/cost.ts, with infra/overrides.ts).",
  options: { ...stageOption, ...jsonOption },
  async run(args, ctx) {
    args.noMorePositionals(0);
    // Required like every stage command: a missing flag must not silently price prod.
    const stage = stageName(args, ctx);
    const [model, settings] = await Promise.all([costModel(), stageSettings(stage)]).catch((err: unknown) => {
      throw new CliError(`stage ${stage}: ${(err as Error).message}`);
    });
    if (!args.flag("json")) return println(ctx.stdout, model.formatReport(stage, settings));
    const lines = model.estimate(settings);
    printJson(ctx.stdout, {
      stage,
      region: settings.region,
      lines,
      total: Math.round(model.total(lines) * 100) / 100,
      tiers: model.tiers.map((t) => {
        const [s, usage] = t.apply(settings);
        return { name: t.name, description: t.description, total: Math.round(model.total(model.estimate(s, usage)) * 100) / 100 };
      }),
    });
  },
};
