import path from "node:path";
import type { Command } from "../cli/command.js";
import { UsageError } from "../cli/errors.js";
import { Prompter } from "../cli/prompt.js";
import { askConfig, configFlags } from "../cli/setup-config.js";
import { setupLocal } from "../cli/setup-local.js";
import { setupStage } from "../cli/setup-stage.js";
import { stageName, stageOption, stageParameters } from "../cli/stage.js";

export const setup: Command = {
  name: "setup",
  summary: "Configure a stage: generate the management token and encryption key, set sink keys and settings.",
  options: {
    ...stageOption,
    yes: { type: "boolean", short: "y", help: "no questions (CI): generate what is missing, keep what is set" },
    config: { type: "string", multiple: true, help: "NAME=VALUE runtime setting (repeatable), e.g. LOG_LEVEL=warn" },
    "rotate-management-token": { type: "boolean", help: "replace an existing ManagementToken" },
    "skip-sinks": { type: "boolean", help: "do not ask for (or read) the Lunary/Helicone keys" },
    local: { type: "boolean", help: "write a .env (mode 0600) for a local proxy instead of SST secrets" },
    "env-file": { type: "string", help: "with --local: the file to write (default ./.env)" },
    force: { type: "boolean", help: "with --local: replace an existing .env" },
  },
  details: [
    "Secrets go to `sst secret set <Name> --stage <stage>` on stdin, never on a command line, and",
    "are never printed. An existing EncryptionKey is always kept. Without --yes at a terminal it asks;",
    "with --yes (or piped stdin) sink keys come from LUNARY_API_KEY / HELICONE_API_KEY when set.",
    "examples:",
    "  npx llm-proxy setup --stage prod",
    "  LUNARY_API_KEY=… npx llm-proxy setup --stage staging --yes --config LOG_LEVEL=debug",
    "  npx llm-proxy setup --local",
  ],
  async run(args, ctx) {
    args.noMorePositionals(0);
    const interactive = ctx.interactive && !args.flag("yes");
    const flagged = configFlags(args);
    const prompter = new Prompter({ ...ctx, interactive });
    try {
      if (args.flag("local")) {
        if (args.string("stage") !== undefined) throw new UsageError("--local writes a .env; leave out --stage");
        const config = interactive ? await askConfig(prompter, flagged) : flagged;
        return await setupLocal(path.resolve(ctx.cwd, args.string("env-file") ?? ".env"), args.flag("force"), config, ctx);
      }
      const stage = stageName(args, ctx);
      const config = interactive ? await askConfig(prompter, flagged) : flagged;
      await setupStage(
        { stage, interactive, rotateManagementToken: args.flag("rotate-management-token"), skipSinks: args.flag("skip-sinks"), config },
        ctx,
        prompter,
        () => stageParameters(args, ctx),
      );
    } finally {
      prompter.close();
    }
  },
};
