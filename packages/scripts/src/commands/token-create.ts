import { budgetFlag, budgetOption } from "../cli/budget.js";
import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { printJson, printRecord } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import type { CreatedToken, TokenInput } from "../cli/resources.js";

export const tokenCreate: Command = {
  name: "token:create",
  summary: "Create a withering token for a project. The secret is printed once, now.",
  options: {
    ...manageOptions,
    ...jsonOption,
    project: { type: "string", help: "project id (required)" },
    duration: { type: "string", help: "lifetime in minutes, 1 … 525600 (default 1440 = one day)" },
    "max-requests": { type: "string", help: "request quota (default unlimited)" },
    "rate-limit-rpm": { type: "string", help: "requests per minute for this token; 0 = no limit (default: the proxy's RATE_LIMIT_RPM)" },
    "max-spend": budgetOption("lifetime budget"),
    quiet: { type: "boolean", short: "q", help: "print only the secret (for $(…) in scripts)" },
  },
  async run(args, ctx) {
    args.noMorePositionals(0);
    const body: TokenInput = {
      project_id: args.required("project"),
      duration_minutes: args.int("duration", { min: 1, max: 525_600 }) ?? 1440,
      max_requests: args.int("max-requests", { min: 0 }),
      rate_limit_rpm: args.int("rate-limit-rpm", { min: 0, max: 1_000_000 }),
      max_spend_usd: budgetFlag(args, "max-spend"),
    };
    const token = await ManageApi.from(args, ctx).request<CreatedToken>("POST", "/manage/tokens", body);
    if (args.flag("json")) return printJson(ctx.stdout, token);
    if (args.flag("quiet")) return println(ctx.stdout, token.token);
    printRecord(ctx.stdout, { ...token, max_requests: token.max_requests ?? "unlimited", rate_limit_rpm: token.rate_limit_rpm ?? "default", max_spend_usd: token.max_spend_usd ?? "none" });
    println(ctx.stderr, "The token is shown only now: store it where your app reads it.");
  },
};
