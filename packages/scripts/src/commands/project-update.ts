import { budgetFlag, budgetOption } from "../cli/budget.js";
import type { Command } from "../cli/command.js";
import { UsageError } from "../cli/errors.js";
import { printJson, printRecord } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc, type Project, type ProjectPatch } from "../cli/resources.js";
import { upstreamKey, upstreamKeyOptions } from "../cli/upstream-key.js";

export const projectUpdate: Command = {
  name: "project:update",
  summary: "Rename a project, replace its upstream API key, set its monthly budget, or (re)activate it.",
  args: "<id>",
  options: {
    ...manageOptions,
    ...jsonOption,
    name: { type: "string", help: "new name" },
    ...upstreamKeyOptions,
    active: { type: "string", help: "true or false (to deactivate and revoke tokens, see project deactivate)" },
    "monthly-budget": budgetOption("budget per UTC calendar month"),
  },
  async run(args, ctx) {
    const id = args.positional(0, "<id> (a project id)");
    args.noMorePositionals(1);
    const body: ProjectPatch = {};
    const name = args.string("name");
    if (name !== undefined) body.name = name;
    const active = args.bool("active");
    if (active !== undefined) body.is_active = active;
    const budget = budgetFlag(args, "monthly-budget");
    if (budget !== undefined) body.monthly_budget_usd = budget;
    const apiKey = await upstreamKey(args.string("api-key"), args.flag("api-key-stdin"), ctx);
    if (apiKey !== undefined) body.api_key = apiKey;
    if (Object.keys(body).length === 0) throw new UsageError("nothing to update: pass --name, --api-key(-stdin), --monthly-budget or --active");
    const project = await ManageApi.from(args, ctx).request<Project>("PATCH", `/manage/projects/${enc(id)}`, body);
    if (args.flag("json")) return printJson(ctx.stdout, project);
    printRecord(ctx.stdout, { ...project, api_key: undefined });
  },
};
