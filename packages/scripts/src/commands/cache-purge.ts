import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { UsageError } from "../cli/errors.js";
import { printJson } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";

export const cachePurge: Command = {
  name: "cache:purge",
  summary: "Delete cached responses: one method+URL, a URL prefix, a project's entries, or everything.",
  options: {
    ...manageOptions,
    ...jsonOption,
    method: { type: "string", help: "HTTP method of the exact entry (with --url; default GET)" },
    url: { type: "string", help: "path of the exact entry, e.g. /v1/models (or a full URL)" },
    prefix: { type: "string", help: "every entry whose path starts with this, e.g. /v1/ (--url and --method are then ignored)" },
    project: { type: "string", help: "only this project's entries" },
    all: { type: "boolean", help: "every entry" },
  },
  details: ["examples:", "  llm-proxy cache purge --url /v1/models", "  llm-proxy cache purge --prefix /v1/ --project <id>", "  llm-proxy cache purge --all"],
  async run(args, ctx) {
    args.noMorePositionals(0);
    const url = args.string("url");
    const prefix = args.string("prefix");
    const project = args.string("project");
    const all = args.flag("all");
    if (all && (url !== undefined || prefix !== undefined)) throw new UsageError("--all purges everything: leave out --url and --prefix");
    if (!all && url === undefined && prefix === undefined && project === undefined) {
      throw new UsageError("say what to purge: --url, --prefix, --project or --all");
    }
    if (args.string("method") !== undefined && url === undefined) throw new UsageError("--method goes with --url");
    // The original's form: --method and --url always, --prefix for a prefix purge, which ignores them.
    if (prefix !== undefined && url !== undefined) println(ctx.stderr, "a --prefix purge ignores --url and --method");
    const exact = prefix === undefined && url !== undefined;
    const body = {
      ...(exact ? { method: (args.string("method") ?? "GET").toUpperCase(), url } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
      ...(project !== undefined ? { project_id: project } : {}),
      ...(all ? { all: true } : {}),
    };
    const result = await ManageApi.from(args, ctx).request<{ deleted: number | boolean }>("POST", "/manage/cache/purge", body);
    if (args.flag("json")) return printJson(ctx.stdout, result);
    // An exact purge answers true or false (as the original's), the others a count.
    println(ctx.stdout, `deleted ${Number(result.deleted)} cache entr${Number(result.deleted) === 1 ? "y" : "ies"}`);
  },
};
