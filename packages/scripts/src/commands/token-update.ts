import { budgetFlag, budgetOption } from "../cli/budget.js";
import type { Command } from "../cli/command.js";
import { UsageError } from "../cli/errors.js";
import { printJson, printRecord } from "../cli/output.js";
import { jsonOption, ManageApi, manageOptions } from "../cli/manage-api.js";
import { enc, type Token, type TokenPatch } from "../cli/resources.js";

export const tokenUpdate: Command = {
  name: "token:update",
  summary: "Change a token's quota (0 = unlimited), its rate limit, its budget or (de)activate it.",
  args: "<id>",
  options: {
    ...manageOptions,
    ...jsonOption,
    "max-requests": { type: "string", help: "new quota; 0 = unlimited" },
    "rate-limit-rpm": { type: "string", help: "requests per minute; 0 = no limit, \"default\" = the proxy's RATE_LIMIT_RPM" },
    "max-spend": budgetOption("lifetime budget"),
    active: { type: "string", help: "true or false" },
  },
  async run(args, ctx) {
    const id = args.positional(0, "<id> (a token id)");
    args.noMorePositionals(1);
    const body: TokenPatch = {};
    const max = args.int("max-requests", { min: 0 });
    if (max !== undefined) body.max_requests = max;
    if (args.string("rate-limit-rpm") === "default") body.rate_limit_rpm = null;
    else {
      const rpm = args.int("rate-limit-rpm", { min: 0, max: 1_000_000 });
      if (rpm !== undefined) body.rate_limit_rpm = rpm;
    }
    const maxSpend = budgetFlag(args, "max-spend");
    if (maxSpend !== undefined) body.max_spend_usd = maxSpend;
    const active = args.bool("active");
    if (active !== undefined) body.is_active = active;
    if (Object.keys(body).length === 0) throw new UsageError("nothing to update: pass --max-requests, --rate-limit-rpm, --max-spend or --active");
    const token = await ManageApi.from(args, ctx).request<Token>("PATCH", `/manage/tokens/${enc(id)}`, body);
    if (args.flag("json")) return printJson(ctx.stdout, token);
    printRecord(ctx.stdout, { ...token });
  },
};
