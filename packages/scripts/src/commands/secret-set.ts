import type { Command } from "../cli/command.js";
import { println, type Context } from "../cli/context.js";
import { UsageError } from "../cli/errors.js";
import { Prompter } from "../cli/prompt.js";
import { checkSecretName, checkSecretValue, generators } from "../cli/secrets.js";
import { stageName, stageOption } from "../cli/stage.js";
import { SECRETS, setSecret } from "../cli/sst.js";

export const secretSet: Command = {
  name: "secret:set",
  summary: "Set an SST secret for a stage; the value goes to sst on stdin, never on its command line.",
  args: "<Name> [value]",
  options: { ...stageOption, generate: { type: "boolean", help: "generate a strong value (ManagementToken, EncryptionKey)" } },
  details: [
    `secrets: ${SECRETS.join(", ")}`,
    "The value is read from stdin (typed without echo at a terminal, or piped); a [value] argument",
    "works but stays in your shell history.",
    "examples:",
    "  llm-proxy secret set ManagementToken --generate --stage prod",
    "  printf %s \"$LUNARY_KEY\" | llm-proxy secret set LunaryApiKey --stage prod",
  ],
  async run(args, ctx) {
    const name = checkSecretName(args.positional(0, "<Name> (e.g. ManagementToken)"));
    args.noMorePositionals(2);
    const stage = stageName(args, ctx);
    const value = await secretValue(name, args.positionals[1], args.flag("generate"), ctx);
    checkSecretValue(name, value);
    await setSecret(ctx, stage, name, value);
    println(ctx.stdout, `set ${name} for stage ${stage}${args.flag("generate") ? " (generated; see it with secret get --reveal)" : ""}`);
    println(ctx.stderr, `Applies at the next \`npx sst deploy --stage ${stage}\`.`);
  },
};

async function secretValue(name: keyof typeof generators, positional: string | undefined, generate: boolean, ctx: Context) {
  if (generate) {
    const gen = generators[name];
    if (!gen) throw new UsageError(`--generate: ${name} is a key you get from its provider, not one to generate`);
    if (positional !== undefined) throw new UsageError("pass a value or --generate, not both");
    return gen();
  }
  if (positional !== undefined) {
    println(ctx.stderr, "warning: a value on the command line stays in shell history; pipe it on stdin instead");
    return positional;
  }
  const prompter = new Prompter(ctx);
  try {
    const line = await prompter.secret(`${name}: `);
    if (line === undefined) throw new UsageError(`no value for ${name}: pipe it on stdin, pass --generate, or type it at a terminal`);
    return line.replace(/\r$/, "");
  } finally {
    prompter.close();
  }
}
