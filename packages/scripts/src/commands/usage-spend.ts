import type { Project, Token } from "@llm-proxy/proxy/src/api/contract.js";
import { spendOf } from "../cli/budget.js";
import type { Command } from "../cli/command.js";
import { printJson, printTable, type Column } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc } from "../cli/resources.js";

/** Share of a budget spent, or "-" without one. */
const used = (spent: number, budget: number | null) => (budget === null ? undefined : budget === 0 ? "100%" : `${Math.round((spent / budget) * 1000) / 10}%`);

const projectColumns: Column<Project>[] = [
  ["PROJECT", (p) => p.id],
  ["NAME", (p) => p.name],
  ["SPEND THIS MONTH", (p) => spendOf(p.spend_usd, p.monthly_budget_usd)],
  ["USED", (p) => used(p.spend_usd, p.monthly_budget_usd)],
];

const tokenColumns: Column<Token>[] = [
  ["TOKEN", (t) => t.id],
  ["ACTIVE", (t) => t.is_active],
  ["SPEND (LIFETIME)", (t) => spendOf(t.spend_usd, t.max_spend_usd)],
  ["USED", (t) => used(t.spend_usd, t.max_spend_usd)],
];

export const usageSpend: Command = {
  name: "usage:spend",
  summary: "Spend against budgets: every project's this UTC month, or one project's tokens' lifetime spend.",
  options: { ...manageOptions, ...jsonOption, project: { type: "string", help: "list this project's tokens instead" } },
  details: ["Costs come from the proxy's price table (README: Usage, spend and budgets); `cost` is the AWS estimate."],
  async run(args, ctx) {
    args.noMorePositionals(0);
    const api = ManageApi.from(args, ctx);
    const project = args.string("project");
    if (project === undefined) {
      const projects = await api.request<Project[]>("GET", "/manage/projects");
      if (args.flag("json")) return printJson(ctx.stdout, projects.map(({ id, name, spend_usd, monthly_budget_usd }) => ({ id, name, spend_usd, monthly_budget_usd })));
      return printTable(ctx.stdout, projects, projectColumns);
    }
    const tokens = await api.request<Token[]>("GET", `/manage/tokens?projectId=${enc(project)}`);
    if (args.flag("json")) return printJson(ctx.stdout, tokens.map(({ id, is_active, spend_usd, max_spend_usd }) => ({ id, is_active, spend_usd, max_spend_usd })));
    printTable(ctx.stdout, tokens, tokenColumns);
  },
};
