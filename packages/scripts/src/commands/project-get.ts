import type { Command } from "../cli/command.js";
import { printJson, printRecord } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc, type Project } from "../cli/resources.js";

export const projectGet: Command = {
  name: "project:get",
  summary: "Show one project.",
  args: "<id>",
  options: { ...manageOptions, ...jsonOption },
  async run(args, ctx) {
    const id = args.positional(0, "<id> (a project id)");
    args.noMorePositionals(1);
    const project = await ManageApi.from(args, ctx).request<Project>("GET", `/manage/projects/${enc(id)}`);
    if (args.flag("json")) return printJson(ctx.stdout, project);
    printRecord(ctx.stdout, { ...project });
  },
};
