import type { Args } from "./command.js";
import { UsageError } from "./errors.js";
import type { Prompter } from "./prompt.js";
import { checkSetting } from "./settings.js";

/** The settings the wizard asks about; everything else goes through --config or config:set. */
const ASKED: [name: string, question: string][] = [
  ["LOG_LEVEL", "Log level (trace, debug, info, warn, error)"],
  ["HTTP_CACHE_ENABLED", "Response cache enabled (true/false)"],
  ["RATE_LIMIT_RPM", "Requests per minute per token (0 = no limit)"],
];

/** `--config NAME=VALUE` entries, all validated before anything is changed. */
export function configFlags(args: Args): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of args.list("config")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new UsageError(`--config: expected NAME=VALUE, got "${entry}"`);
    const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
    checkSetting(name, value);
    out.set(name, value);
  }
  return out;
}

/** Asks for the common settings not given as flags; Enter keeps the default. Re-asks on a bad value. */
export async function askConfig(prompter: Prompter, given: Map<string, string>): Promise<Map<string, string>> {
  const out = new Map(given);
  for (const [name, question] of ASKED) {
    if (out.has(name)) continue;
    for (;;) {
      const answer = (await prompter.line(`${question} [Enter: default]: `))?.trim();
      if (!answer) break;
      try {
        checkSetting(name, answer);
        out.set(name, answer);
        break;
      } catch (err) {
        prompter.say(`  ${(err as Error).message}`);
      }
    }
  }
  return out;
}
