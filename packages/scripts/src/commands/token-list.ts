import type { Command } from "../cli/command.js";
import { printJson, printTable } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc, tokenColumns, type Token } from "../cli/resources.js";

export const tokenList: Command = {
  name: "token:list",
  summary: "List tokens, newest first (secrets obfuscated).",
  options: { ...manageOptions, ...jsonOption, project: { type: "string", help: "only this project's tokens" } },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const project = args.string("project");
    const query = project !== undefined ? `?projectId=${enc(project)}` : "";
    const tokens = await ManageApi.from(args, ctx).request<Token[]>("GET", `/manage/tokens${query}`);
    if (args.flag("json")) return printJson(ctx.stdout, tokens);
    printTable(ctx.stdout, tokens, tokenColumns);
  },
};
