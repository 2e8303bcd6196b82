import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { run } from "../src/cli.js";
import type { Context } from "../src/cli/context.js";

export const BIN = path.resolve(import.meta.dirname, "../bin/llm-proxy.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Piped stdin: all of it available at once, as from a file or a pipe. */
  stdin?: string[] | string;
  /** A person at a terminal: each answer is typed only once a question (ending ": " or "] ") is shown. */
  answers?: string[];
  ssm?: Context["ssm"];
}

/** Runs the CLI in this process with captured output, stdin and the given env. */
export async function cli(argv: string[], opts: CliOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const input = Array.isArray(opts.stdin) ? opts.stdin.map((l) => `${l}\n`).join("") : (opts.stdin ?? "");
  const answers = opts.answers ? [...opts.answers] : undefined;
  const typed = new PassThrough();
  const type = () => setImmediate(() => (answers?.length ? typed.write(`${answers.shift()}\n`) : typed.end()));
  const code = await run(argv, {
    env: { PATH: process.env.PATH, ...opts.env },
    cwd: opts.cwd ?? os.tmpdir(),
    stdin: answers ? typed : Readable.from([input]),
    stdout: { write: (t) => void (stdout += t) },
    stderr: {
      write: (t) => {
        stderr += t;
        if (answers && /[:\]] $/.test(t)) type();
      },
    },
    interactive: answers !== undefined,
    ssm: opts.ssm,
  });
  return { code, stdout, stderr };
}

/** Runs the real bin as a child process (exit codes, no stack traces, nothing else in this process). */
export function cliProcess(argv: string[], env: Record<string, string | undefined> = {}, cwd = os.tmpdir()): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, LLM_PROXY_DOTENV: "false", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export const tempDir = (prefix: string) => fs.mkdtemp(path.join(os.tmpdir(), prefix));
