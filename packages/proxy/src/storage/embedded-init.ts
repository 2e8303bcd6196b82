import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

// Plain JavaScript for a bare `node`: no TypeScript loader, no build output to locate.
const INITDB = `const [url, dir] = process.argv.slice(1);
const { PGlite } = await import(url);
const db = await PGlite.create(dir);
await db.close();`;

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/** True when `dir` is missing or an empty directory. */
async function absentOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw err;
  }
}

function runInitdb(dir: string): Promise<void> {
  const pglite = pathToFileURL(createRequire(import.meta.url).resolve("@electric-sql/pglite")).href;
  return new Promise((resolve, reject) => {
    // --liftoff-only: V8's baseline wasm compiler alone; a process this short gains nothing from
    // optimising PGlite's code and finishes initdb 1-2 s sooner without it.
    const args = ["--liftoff-only", "--input-type=module", "-e", INITDB, pglite, dir];
    execFile(process.execPath, args, { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`embedded database initialisation failed: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

/**
 * First start only: creates the PGlite data directory in a child process that exits before the
 * server opens it. initdb inside the server's process left ~400 MB of memory it never gave back;
 * a process that ends returns all of it. The child works in a sibling directory that is renamed
 * into place when complete, so a first start killed midway leaves no half-made database behind
 * (the next start removes the leftover and begins again).
 */
export async function initDataDir(dataDir: string): Promise<void> {
  if (await exists(path.join(dataDir, "PG_VERSION"))) return;
  // A directory with files but no PG_VERSION is not ours to replace: PGlite decides, as before.
  if (!(await absentOrEmpty(dataDir))) return;
  const parent = path.dirname(dataDir);
  const prefix = `${path.basename(dataDir)}.init-`;
  await fs.mkdir(parent, { recursive: true });
  for (const name of await fs.readdir(parent)) {
    if (name.startsWith(prefix)) await fs.rm(path.join(parent, name), { recursive: true, force: true });
  }
  const work = path.join(parent, `${prefix}${process.pid}`);
  await runInitdb(work);
  // rename(2) replaces an empty directory and is atomic: the database appears whole or not at all.
  await fs.rename(work, dataDir);
}
