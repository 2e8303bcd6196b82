import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { printJson } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc, type Project } from "../cli/resources.js";

export const projectDeactivate: Command = {
  name: "project:deactivate",
  summary: "Deactivate a project (projects are never deleted); --revoke-tokens also revokes all its tokens.",
  args: "<id>",
  options: { ...manageOptions, ...jsonOption, "revoke-tokens": { type: "boolean", help: "revoke every active token of the project too" } },
  async run(args, ctx) {
    const id = args.positional(0, "<id> (a project id)");
    args.noMorePositionals(1);
    const revoke = args.flag("revoke-tokens");
    const project = await ManageApi.from(args, ctx).request<Project>("PATCH", `/manage/projects/${enc(id)}`, {
      is_active: false,
      ...(revoke ? { revoke_tokens: true } : {}),
    });
    if (args.flag("json")) return printJson(ctx.stdout, { id: project.id, is_active: project.is_active, revoke_tokens: revoke });
    println(ctx.stdout, `deactivated project ${project.id} (${project.name})${revoke ? "; its tokens are revoked" : ""}`);
  },
};
