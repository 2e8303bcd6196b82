import type { Command } from "../cli/command.js";
import { printJson, printRecord } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc, type Token } from "../cli/resources.js";

export const tokenGet: Command = {
  name: "token:get",
  summary: "Show one token (secret obfuscated).",
  args: "<id>",
  options: { ...manageOptions, ...jsonOption },
  async run(args, ctx) {
    const id = args.positional(0, "<id> (a token id)");
    args.noMorePositionals(1);
    const token = await ManageApi.from(args, ctx).request<Token>("GET", `/manage/tokens/${enc(id)}`);
    if (args.flag("json")) return printJson(ctx.stdout, token);
    printRecord(ctx.stdout, { ...token });
  },
};
