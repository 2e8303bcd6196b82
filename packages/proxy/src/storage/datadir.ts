import type { Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * Owner-only modes for everything under the data directory: it holds the embedded database
 * (whose WAL carries upstream keys in clear without ENCRYPTION_KEY) and the management token.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/**
 * Creates `dir` if needed and gives it and everything below owner-only modes (directories 0700,
 * files 0600), also to a directory an older version or another tool left readable. Symbolic
 * links are neither followed nor changed; entries that vanish meanwhile (a running database
 * removes files) are skipped. Fails with the path when a mode cannot be changed (not the owner).
 */
export async function secureDataDir(dir: string, opts: { skip?: string } = {}): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
  await secureBelow(dir, opts.skip === undefined ? undefined : path.resolve(opts.skip));
}

/** `skip`: a directory below left to its owner (the embedded database secures its own). */
async function secureBelow(dir: string, skip: string | undefined): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (p === skip) continue;
    if (e.isDirectory()) {
      await chmod(p, DIR_MODE);
      await secureBelow(p, skip);
    } else if (e.isFile()) {
      await chmod(p, FILE_MODE);
    }
  }
}

async function chmod(p: string, mode: number): Promise<void> {
  try {
    await fs.chmod(p, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw new Error(`DATA_DIR: cannot make ${p} private to its owner (${code ?? String(err)}): run the proxy as the owner of the data directory`);
  }
}
