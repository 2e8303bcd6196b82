import type { Command } from "../cli/command.js";
import { printJson, printTable } from "../cli/output.js";
import { jsonOption } from "../cli/manage-api.js";
import { masked } from "../cli/secrets.js";
import { stageName, stageOption } from "../cli/stage.js";
import { listSecrets, SECRETS } from "../cli/sst.js";

export const secretList: Command = {
  name: "secret:list",
  summary: "List the stage's secrets and whether each is set (values only with --reveal).",
  options: { ...stageOption, ...jsonOption, reveal: { type: "boolean", help: "include the values" } },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const stage = stageName(args, ctx);
    const found = await listSecrets(ctx, stage);
    const names = [...new Set<string>([...SECRETS, ...found.keys()])];
    const reveal = args.flag("reveal");
    const rows = names.map((name) => {
      const value = found.get(name);
      return { name, set: value !== undefined, ...(value !== undefined ? { length: value.length } : {}), ...(reveal && value !== undefined ? { value } : {}) };
    });
    if (args.flag("json")) return printJson(ctx.stdout, rows);
    printTable(ctx.stdout, rows, [
      ["NAME", (r) => r.name],
      ["STATUS", (r) => (r.value !== undefined ? r.value : r.set ? masked("x".repeat(r.length ?? 0)) : "not set")],
    ]);
  },
};
