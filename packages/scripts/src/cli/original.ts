import type { Command } from "./command.js";

/**
 * The original Go CLI's spellings that mean one of ours (`llm-proxy manage project list` =
 * `project list`), so an operator's scripts keep working. docs/cli.md lists what is not here.
 */
const COMMANDS: [original: string[], ours: string][] = [
  [["manage", "project", "list"], "project:list"],
  [["manage", "project", "get"], "project:get"],
  [["manage", "project", "create"], "project:create"],
  [["manage", "project", "update"], "project:update"],
  [["manage", "token", "generate"], "token:create"],
  [["manage", "cache", "purge"], "cache:purge"],
  [["openai", "chat"], "chat"],
  [["benchmark"], "bench"],
];

/** The original's flags for options we spell otherwise; applied only where the command has ours. */
const FLAGS: Record<string, string> = {
  "--openai-key": "--api-key",
  "--project-id": "--project",
  "--manage-api-base-url": "--api-url",
  "--api-base-url": "--api-url",
  "--base-url": "--api-url",
  "--proxy": "--api-url",
  "-r": "--requests",
};

/** Rewrites a command line written with the original's command words into ours. */
export function ourSpelling(argv: string[]): string[] {
  for (const [words, ours] of COMMANDS) {
    if (words.every((w, i) => argv[i] === w)) return [ours, ...argv.slice(words.length)];
  }
  return argv;
}

/** Rewrites the original's flags (`--openai-key K`, `--project-id=P`) into the command's own. */
export function ourFlags(command: Command, args: string[]): string[] {
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  return args.map((arg, i) => {
    if (i >= end) return arg;
    const [flag = "", ...value] = arg.split("=");
    const ours = FLAGS[flag];
    if (ours === undefined || !(ours.slice(2) in command.options)) return arg;
    return value.length > 0 ? `${ours}=${value.join("=")}` : ours;
  });
}
