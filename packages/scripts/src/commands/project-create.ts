import { budgetFlag, budgetOption } from "../cli/budget.js";
import type { Command } from "../cli/command.js";
import { UsageError } from "../cli/errors.js";
import { printJson, printRecord } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import type { Project } from "../cli/resources.js";
import { upstreamKey, upstreamKeyOptions } from "../cli/upstream-key.js";

export const projectCreate: Command = {
  name: "project:create",
  summary: "Create a project holding one upstream (e.g. OpenAI) API key.",
  options: { ...manageOptions, ...jsonOption, name: { type: "string", help: "project name (required)" }, ...upstreamKeyOptions, "monthly-budget": budgetOption("budget per UTC calendar month") },
  details: ["example: printf %s \"$OPENAI_API_KEY\" | llm-proxy project create --name my-app --api-key-stdin"],
  async run(args, ctx) {
    args.noMorePositionals(0);
    const name = args.required("name");
    const apiKey = await upstreamKey(args.string("api-key"), args.flag("api-key-stdin"), ctx);
    if (apiKey === undefined) throw new UsageError("--api-key or --api-key-stdin is required");
    const project = await ManageApi.from(args, ctx).request<Project>("POST", "/manage/projects", { name, api_key: apiKey, monthly_budget_usd: budgetFlag(args, "monthly-budget") });
    if (args.flag("json")) return printJson(ctx.stdout, project);
    printRecord(ctx.stdout, { ...project });
  },
};
