import type { Context } from "./context.js";
import { UsageError } from "./errors.js";
import { Prompter } from "./prompt.js";

/** The upstream API key from --api-key or from stdin (kept out of argv and shell history). */
export async function upstreamKey(flag: string | undefined, fromStdin: boolean, ctx: Context): Promise<string | undefined> {
  if (flag !== undefined && fromStdin) throw new UsageError("pass --api-key or --api-key-stdin, not both");
  if (!fromStdin) return flag;
  const prompter = new Prompter(ctx);
  try {
    const line = (await prompter.secret("Upstream API key: "))?.trim();
    if (!line) throw new UsageError("--api-key-stdin: stdin was empty");
    return line;
  } finally {
    prompter.close();
  }
}

export const upstreamKeyOptions = {
  "api-key": { type: "string", help: "upstream API key (visible in the process list: prefer --api-key-stdin)" },
  "api-key-stdin": { type: "boolean", help: "read the upstream API key from the first line of stdin" },
} as const;
