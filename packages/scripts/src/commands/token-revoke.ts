import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { printJson } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc } from "../cli/resources.js";

export const tokenRevoke: Command = {
  name: "token:revoke",
  summary: "Revoke one token (idempotent).",
  args: "<id>",
  options: { ...manageOptions, ...jsonOption },
  async run(args, ctx) {
    const id = args.positional(0, "<id> (a token id)");
    args.noMorePositionals(1);
    await ManageApi.from(args, ctx).request<undefined>("DELETE", `/manage/tokens/${enc(id)}`);
    if (args.flag("json")) return printJson(ctx.stdout, { id, revoked: true });
    println(ctx.stdout, `revoked token ${id}`);
  },
};
