import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import type { Context } from "./context.js";
import { CliError } from "./errors.js";
import { repoRoot } from "./infra.js";

/** The secrets infra/secrets.ts declares; link names are the contract with the services. */
export const SECRETS = ["ManagementToken", "EncryptionKey", "LunaryApiKey", "HeliconeApiKey", "DispatcherWebhookSecret"] as const;
export type SecretName = (typeof SECRETS)[number];

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** `sst` on PATH (npm run puts node_modules/.bin there), else the repository's own. */
function sstBinary(ctx: Context): string {
  const dirs = (ctx.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const onPath = dirs.map((d) => path.join(d, "sst")).find(executable);
  const local = path.join(repoRoot, "node_modules/.bin/sst");
  const found = onPath ?? (executable(local) ? local : undefined);
  if (!found) throw new CliError("sst is not installed: run npm install at the repository root");
  return found;
}

export interface SstResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sst <args>` in the repository root. A secret value goes on stdin, without a newline
 * (sst reads piped stdin to EOF and keeps every byte), never on the command line where `ps`
 * and shell history would show it.
 */
export function runSst(ctx: Context, args: string[], stdin?: string): Promise<SstResult> {
  const bin = sstBinary(ctx);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: repoRoot, env: ctx.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (err) => reject(new CliError(`cannot run ${bin}: ${err.message}`)));
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on("error", () => {}); // sst may exit before reading (e.g. a bad flag); close reports it
    child.stdin.end(stdin ?? "");
  });
}

// sst colours its output (lipgloss); the escape character is built, not written, for the linter.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const stripAnsi = (s: string) => s.replace(ANSI, "");

/** The last meaningful line sst printed, for a one-line error. */
export function sstFailure(what: string, r: SstResult): CliError {
  const lines = stripAnsi(`${r.stderr}\n${r.stdout}`).split("\n").map((l) => l.trim()).filter(Boolean);
  return new CliError(`${what} failed (sst exit ${r.code})${lines.length ? `: ${lines[lines.length - 1]}` : ""}`);
}

/** `sst secret list` → name → value; the stage's values win over fallbacks. */
export async function listSecrets(ctx: Context, stage: string): Promise<Map<string, string>> {
  const r = await runSst(ctx, ["secret", "list", "--stage", stage]);
  const text = stripAnsi(`${r.stdout}\n${r.stderr}`);
  if (r.code !== 0) {
    if (/no secrets found/i.test(text)) return new Map();
    throw sstFailure("sst secret list", r);
  }
  const fallback = new Map<string, string>();
  const staged = new Map<string, string>();
  let section = staged;
  for (const raw of stripAnsi(r.stdout).split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) {
      section = line === "# fallback" ? fallback : staged;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) section.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return new Map([...fallback, ...staged]);
}

export async function setSecret(ctx: Context, stage: string, name: string, value: string): Promise<void> {
  const r = await runSst(ctx, ["secret", "set", name, "--stage", stage], value);
  if (r.code !== 0) throw sstFailure(`sst secret set ${name}`, r);
}
