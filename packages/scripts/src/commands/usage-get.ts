import type { Usage, UsageQuery } from "@llm-proxy/proxy/src/api/contract.js";
import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { printJson, printTable, type Column } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions, queryOptions, queryString } from "../cli/manage-api.js";

/** CLI flag → /manage/usage query parameter (the contract's names, checked by the type checker). */
const filters: Record<string, readonly [param: keyof UsageQuery, help: string]> = {
  project: ["project_id", "project id"],
  token: ["token_id", "token id: also prints the token's lifetime totals"],
  since: ["start_time", "RFC 3339 start time (default: 24 hours ago)"],
  until: ["end_time", "RFC 3339 end time (default: now)"],
  granularity: ["granularity", "hour (default) or day"],
};

const columns: Column<Usage["buckets"][number]>[] = [
  ["START", (b) => b.start],
  ["PROJECT", (b) => b.project_id],
  ["MODEL", (b) => b.model],
  ["REQUESTS", (b) => b.requests],
  ["ERRORS", (b) => b.errors],
  ["CACHE HITS", (b) => b.cache_hits],
  ["PROMPT", (b) => b.prompt_tokens],
  ["COMPLETION", (b) => b.completion_tokens],
  ["COST USD", (b) => b.cost_usd],
];

export const usageGet: Command = {
  name: "usage:get",
  summary: "Requests, errors, cache hits, tokens and cost per project, model and hour (or day).",
  options: {
    ...manageOptions,
    ...jsonOption,
    ...queryOptions(filters),
  },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const usage = await ManageApi.from(args, ctx).request<Usage>("GET", `/manage/usage${queryString(args, filters)}`);
    if (args.flag("json")) return printJson(ctx.stdout, usage);
    printTable(ctx.stdout, usage.buckets, columns);
    const t = usage.totals;
    println(ctx.stderr, `${usage.start_time} … ${usage.end_time}: ${t.requests} requests, ${t.errors} errors, ${t.cache_hits} cache hits, ${t.prompt_tokens} prompt and ${t.completion_tokens} completion tokens, ${t.cost_usd} USD`);
    if (usage.token) println(ctx.stderr, `token ${usage.token.id} (lifetime): ${usage.token.request_count} requests, ${usage.token.prompt_tokens} prompt and ${usage.token.completion_tokens} completion tokens, ${usage.token.spend_usd} USD`);
  },
};
