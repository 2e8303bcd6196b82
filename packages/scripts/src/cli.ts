import { ConfigError, loadDotenv, parseBoolean } from "@llm-proxy/config";
import { helpText, parseCommandArgs, type Command } from "./cli/command.js";
import { println, type Context } from "./cli/context.js";
import { CliError, EXIT, UsageError, oneLine } from "./cli/errors.js";
import { commands } from "./commands/index.js";
import { ourFlags, ourSpelling } from "./cli/original.js";

/** `project list`, `project:list` and `secret set` all name the same commands. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const [first, second] = argv;
  if (first === undefined) return undefined;
  const byName = (name: string) => commands.find((c) => c.name === name);
  if (second !== undefined && !second.startsWith("-")) {
    const two = byName(`${first}:${second}`);
    if (two) return { command: two, rest: argv.slice(2) };
  }
  const one = byName(first);
  return one ? { command: one, rest: argv.slice(1) } : undefined;
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: llm-proxy <command> [options]      (llm-proxy <command> --help for its options)",
    "",
    ...commands.map((c) => `  ${c.name.replace(":", " ").padEnd(width)}  ${c.summary}`),
    "",
    "Exit codes: 0 ok, 1 failure (API, network, AWS, sst), 2 usage error.",
    "",
  ].join("\n");
}

/** Runs one command line; never throws: every failure is one line on stderr and an exit code. */
export async function run(argv: string[], ctx: Context): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
      ctx.stdout.write(overview());
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    const found = findCommand(ourSpelling(argv));
    if (!found) throw new UsageError(`unknown command "${argv.slice(0, 2).join(" ")}" (see llm-proxy --help)`);
    const { help, args } = parseCommandArgs(found.command, ourFlags(found.command, found.rest));
    if (help) {
      ctx.stdout.write(helpText(found.command));
      return EXIT.ok;
    }
    return (await found.command.run(args, ctx)) ?? EXIT.ok;
  } catch (err) {
    if (parseBoolean(ctx.env.LLM_PROXY_DEBUG ?? "") === true && err instanceof Error) println(ctx.stderr, err.stack ?? err.message);
    println(ctx.stderr, `llm-proxy: ${err instanceof CliError ? err.message : oneLine(err)}`);
    return err instanceof CliError ? err.exitCode : EXIT.failure;
  }
}

/** The bin entry: the real process as the context. */
export async function main(): Promise<void> {
  // Node prints warnings over several lines; the AWS SDK's Node 20 notice is not the operator's
  // problem (the repository pins Node 20). Others stay visible, as one line.
  process.removeAllListeners("warning");
  process.on("warning", (w) => {
    if (!`${w.name} ${w.message}`.includes("NodeVersionSupportWarning")) process.stderr.write(`llm-proxy: warning: ${w.message.split("\n")[0] ?? w.name}\n`);
  });
  const cwd = process.env.INIT_CWD ?? process.cwd();
  let env: Context["env"];
  try {
    // The process environment over ./.env (or the file ENV names), as the proxy and the dispatcher start.
    env = loadDotenv(process.env, cwd).env;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    println(process.stderr, `llm-proxy: ${err.message}`);
    process.exitCode = EXIT.usage;
    return;
  }
  const ctx: Context = {
    env,
    cwd,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: process.stdin.isTTY === true,
  };
  process.exitCode = await run(process.argv.slice(2), ctx);
}
