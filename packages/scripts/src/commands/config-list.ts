import type { Command } from "../cli/command.js";
import { printJson, printTable } from "../cli/output.js";
import { jsonOption } from "../cli/manage-api.js";
import { stageOption, stageParameters } from "../cli/stage.js";
import { settingNames } from "../cli/settings.js";

export const configList: Command = {
  name: "config:list",
  summary: "List the per-stage runtime settings stored for a stage.",
  options: { ...stageOption, ...jsonOption, all: { type: "boolean", help: "also list settable names that are not set" } },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const params = await stageParameters(args, ctx);
    const stored = await params.list();
    const rows = args.flag("all")
      ? [...stored, ...settingNames.filter((n) => !stored.some((p) => p.name === n)).map((name) => ({ name, value: undefined, modified: undefined }))]
      : stored;
    // A parameter under the path that no service reads (set by hand, or dropped from the list).
    const note = (name: string) => (settingNames.includes(name) ? "" : "not applied (unknown name)");
    if (args.flag("json")) return printJson(ctx.stdout, rows.map((r) => ({ ...r, path: params.path(r.name), applied: note(r.name) === "" })));
    printTable(ctx.stdout, rows, [
      ["NAME", (r) => r.name],
      ["VALUE", (r) => r.value ?? "(default)"],
      ["MODIFIED", (r) => r.modified],
      ["NOTE", (r) => note(r.name)],
    ]);
  },
};
