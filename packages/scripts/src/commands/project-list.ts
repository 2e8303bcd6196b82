import type { Command } from "../cli/command.js";
import { printJson, printTable } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { projectColumns, type Project } from "../cli/resources.js";

export const projectList: Command = {
  name: "project:list",
  summary: "List projects, sorted by name (upstream API keys obfuscated).",
  options: { ...manageOptions, ...jsonOption },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const projects = await ManageApi.from(args, ctx).request<Project[]>("GET", "/manage/projects");
    if (args.flag("json")) return printJson(ctx.stdout, projects);
    printTable(ctx.stdout, projects, projectColumns);
  },
};
