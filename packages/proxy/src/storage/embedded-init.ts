import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
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

const pgliteEntry = () => createRequire(import.meta.url).resolve("@electric-sql/pglite");

function runInitdb(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // --liftoff-only: V8's baseline wasm compiler alone; a process this short gains nothing from
    // optimising PGlite's code and finishes initdb 1-2 s sooner without it.
    const args = ["--liftoff-only", "--input-type=module", "-e", INITDB, pathToFileURL(pgliteEntry()).href, dir];
    execFile(process.execPath, args, { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`embedded database initialisation failed: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

/**
 * Makes `dir`'s parent, removes the `<name>.init-*` folders an interrupted run left beside `dir`
 * (those older than `staleMs`: 0 where a lock keeps out every other process), and names a fresh
 * one for this process.
 */
async function workDir(dir: string, staleMs = 0): Promise<string> {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.init-`;
  await fs.mkdir(parent, { recursive: true });
  for (const name of await fs.readdir(parent)) {
    if (!name.startsWith(prefix)) continue;
    const leftover = path.join(parent, name);
    // Another process may remove it meanwhile: then there is nothing left to do.
    const age = await fs.stat(leftover).then((st) => Date.now() - st.mtimeMs, () => -1);
    if (age >= staleMs) await fs.rm(leftover, { recursive: true, force: true });
  }
  return path.join(parent, `${prefix}${process.pid}-${randomUUID()}`);
}

/**
 * Where a freshly initialised data directory is kept to be copied: `node_modules/.cache`, named
 * after the PGlite version that made it, so an upgrade makes a new one.
 */
export async function defaultTemplateDir(): Promise<string> {
  const entry = pgliteEntry();
  const at = entry.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  const pkgDir = path.join(entry.slice(0, at), "node_modules", "@electric-sql", "pglite");
  const { version } = JSON.parse(await fs.readFile(path.join(pkgDir, "package.json"), "utf8")) as { version: string };
  return path.join(entry.slice(0, at), "node_modules", ".cache", "llm-proxy", `pgdata-${version}`);
}

/**
 * Makes the template once (initdb in a child process, renamed into place when complete) and
 * returns it; undefined when its folder cannot be made (a read-only install), and the caller
 * runs initdb itself. Processes making it at once each work in a folder of their own; the first
 * rename wins and the others give way. A folder left by a process killed midway is removed by
 * a later call once it is an hour old.
 */
export async function ensureTemplate(template: string): Promise<string | undefined> {
  if (await exists(path.join(template, "PG_VERSION"))) return template;
  let work: string;
  try {
    work = await workDir(template, 3_600_000);
  } catch {
    return undefined;
  }
  await runInitdb(work);
  await fs.rename(work, template).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
    await fs.rm(work, { recursive: true, force: true });
  });
  return template;
}

/**
 * First start only: creates the PGlite data directory without running initdb in the server's
 * process (initdb there left ~400 MB of memory it never gave back). It copies the template that
 * `npm install` made (scripts/build.mjs), in about half a second instead of initdb's three; with
 * no template it makes one first, in a child process that exits. The copy is made in a sibling
 * directory that is renamed into place when complete, so a first start killed midway leaves no
 * half-made database behind (the next start removes the leftover and begins again).
 */
export async function initDataDir(dataDir: string, template?: string): Promise<void> {
  if (await exists(path.join(dataDir, "PG_VERSION"))) return;
  // A directory with files but no PG_VERSION is not ours to replace: PGlite decides, as before.
  if (!(await absentOrEmpty(dataDir))) return;
  const source = await ensureTemplate(template ?? (await defaultTemplateDir()));
  const work = await workDir(dataDir);
  if (source) await fs.cp(source, work, { recursive: true });
  else await runInitdb(work);
  // rename(2) replaces an empty directory and is atomic: the database appears whole or not at all.
  await fs.rename(work, dataDir);
}
