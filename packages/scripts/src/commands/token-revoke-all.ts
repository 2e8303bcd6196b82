import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { printJson } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc } from "../cli/resources.js";

interface BulkRevoke {
  revoked_count: number;
  already_revoked_count: number;
  total_tokens: number;
}

export const tokenRevokeAll: Command = {
  name: "token:revoke-all",
  summary: "Revoke every active token of a project (the project stays active).",
  options: { ...manageOptions, ...jsonOption, project: { type: "string", help: "project id (required)" } },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const project = args.required("project");
    const result = await ManageApi.from(args, ctx).request<BulkRevoke>("POST", `/manage/projects/${enc(project)}/tokens/revoke`);
    if (args.flag("json")) return printJson(ctx.stdout, result);
    println(ctx.stdout, `revoked ${result.revoked_count} of ${result.total_tokens} tokens (${result.already_revoked_count} were already revoked)`);
  },
};
