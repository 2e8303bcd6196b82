import { readFileSync } from "node:fs";
import fs from "node:fs/promises";

/** KEY=VALUE lines of a .env file (comments and blanks skipped); empty when there is none. */
export function readDotenv(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].trim().replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

/**
 * Writes a .env readable by its owner only. The mode is set on the open file descriptor before any
 * byte is written, so the secrets are never readable by others, even for a moment.
 */
export async function writePrivateDotenv(file: string, lines: string[], overwrite: boolean): Promise<void> {
  const handle = await fs.open(file, overwrite ? "w" : "wx", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${lines.join("\n")}\n`);
  } finally {
    await handle.close();
  }
}
