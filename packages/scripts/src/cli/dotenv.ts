import fs from "node:fs/promises";

// Reading a .env is the shared parser's job (@llm-proxy/config): cli.ts starts with loadDotenv, as the services do.

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
