import type { Readable } from "node:stream";
import type { SsmSender } from "./ssm.js";

/** Where output goes. Commands write here, never to process.stdout, so tests capture it. */
export interface Output {
  write(text: string): void;
}

/**
 * Everything a command touches outside itself. `main` builds it from the process; tests build
 * one with captured output, their own env, stdin lines and an SSM stand-in.
 */
export interface Context {
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: Readable;
  stdout: Output;
  stderr: Output;
  /** True when a person is typing: prompts are shown and interactive defaults apply. */
  interactive: boolean;
  /** The SSM client for config:*; the AWS SDK client unless a test injects one. */
  ssm?: (region: string) => SsmSender | Promise<SsmSender>;
}

export function println(out: Output, text = ""): void {
  out.write(`${text}\n`);
}
