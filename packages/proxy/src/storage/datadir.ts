import fs, { type Dirent } from "node:fs";
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
 * Synchronous system calls: a database directory holds about a thousand files, and one thread
 * pool round trip per file made the walk ~100 ms of every start instead of ~10.
 */
export async function secureDataDir(dir: string, opts: { skip?: string } = {}): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmod(dir, DIR_MODE);
  secureBelow(dir, opts.skip === undefined ? undefined : path.resolve(opts.skip));
}

/** `skip`: a directory below left to its owner (the embedded database secures its own). */
function secureBelow(dir: string, skip: string | undefined): void {
  let entries: Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (p === skip) continue;
    if (e.isDirectory()) {
      chmod(p, DIR_MODE);
      secureBelow(p, skip);
    } else if (e.isFile()) {
      chmod(p, FILE_MODE);
    }
  }
}

function chmod(p: string, mode: number): void {
  try {
    fs.chmodSync(p, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw new Error(`DATA_DIR: cannot make ${p} private to its owner (${code ?? String(err)}): run the proxy as the owner of the data directory`);
  }
}
