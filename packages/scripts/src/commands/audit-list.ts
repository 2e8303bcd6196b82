import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { printJson, printTable } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions, queryOptions, queryString, type QueryFlags } from "../cli/manage-api.js";
import { auditColumns, type AuditPage } from "../cli/resources.js";

/** CLI flag → /manage/audit query parameter. */
const filters: QueryFlags = {
  action: ["action", "exact action, e.g. token.create"],
  actor: ["actor", "exact actor"],
  outcome: ["outcome", "success, failure, denied or error"],
  project: ["project_id", "project id"],
  "client-ip": ["client_ip", "client IP"],
  "request-id": ["request_id", "request id"],
  search: ["search", "substring over ids, action, actor, path, reason, metadata"],
  since: ["start_time", "RFC 3339 start time"],
  until: ["end_time", "RFC 3339 end time"],
  page: ["page", "page number (default 1)"],
  "page-size": ["page_size", "events per page (default 20, at most 100)"],
};

export const auditList: Command = {
  name: "audit:list",
  summary: "List audit events, newest first, with filters and pagination.",
  options: {
    ...manageOptions,
    ...jsonOption,
    ...queryOptions(filters),
  },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const page = await ManageApi.from(args, ctx).request<AuditPage>("GET", `/manage/audit${queryString(args, filters)}`);
    if (args.flag("json")) return printJson(ctx.stdout, page);
    printTable(ctx.stdout, page.events ?? [], auditColumns);
    const p = page.pagination;
    println(ctx.stderr, `page ${p.page} of ${p.total_pages} (${p.total_count} events)${p.has_next ? `; next: --page ${p.page + 1}` : ""}`);
  },
};
