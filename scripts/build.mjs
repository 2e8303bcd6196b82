#!/usr/bin/env node
// Compiles the services and the CLI to JavaScript with source maps, so nothing in a running
// process loads TypeScript. esbuild rather than tsc: it bundles each entry point with the
// workspace packages (@llm-proxy/*, whose package.json exports point at .ts sources) and the plain
// JavaScript libraries every start loads (BUNDLED below) in about a second. Other node_modules
// packages stay external: PGlite and sql.js find their wasm/data files beside them, pino starts
// its transports' workers from its own folder, and ioredis and the tokenizer load only when used.
// The image installs them with `npm ci --omit=dev`. Type checking stays `npm run typecheck`.
//
//   node scripts/build.mjs             build everything
//   node scripts/build.mjs proxy dispatcher   only these targets (the image has no CLI)
//   node scripts/build.mjs --if-stale  build only when an output is missing or older than a source
//   node scripts/build.mjs --prepare   as --if-stale, and skip quietly without esbuild
//                                      (`npm ci --omit=dev` runs `prepare` too); then make the
//                                      embedded database's template if missing (storage/embedded-init.ts)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import console from "node:console";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const at = (p) => path.join(root, p);

/** Each output folder: its entry points (output name → source) and the files copied next to them. */
export const targets = [
  {
    name: "proxy",
    outdir: "packages/proxy/dist",
    // The tokenizer runs in a worker thread loaded from its own file (usage/count.ts).
    // prepare-template: run once by `npm install` (--prepare below), so a first start copies a database.
    entries: { main: "packages/proxy/src/main.ts", "tokenizer-worker": "packages/proxy/src/usage/tokenizer-worker.ts", "prepare-template": "packages/proxy/src/storage/prepare-template.ts" },
    // Read at run time relative to the module (admin/assets.ts, storage/migrate.ts).
    copy: { static: "packages/proxy/src/admin/static", migrations: "packages/proxy/src/storage/migrations" },
  },
  { name: "dispatcher", outdir: "packages/dispatcher/dist", entries: { main: "packages/dispatcher/src/main.ts" }, copy: {} },
  {
    name: "cli",
    outdir: "packages/scripts/dist",
    // The CLI reads the stage presets and cost model from infra/ (packages/scripts/src/cli/infra.ts).
    entries: { cli: "packages/scripts/src/cli.ts", "infra/stage": "infra/stage.ts", "infra/overrides": "infra/overrides.ts", "infra/cost": "infra/cost.ts" },
    copy: {},
  },
];

/** What the outputs are made from: a change to any of these makes the build stale. */
const sources = ["packages/events/src", "packages/config/src", "packages/proxy/src", "packages/dispatcher/src", "packages/scripts/src", "infra", "scripts/build.mjs", "tsconfig.json"];

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder's mtime
  for (const e of readdirSync(p, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "test" || e.name.includes(".test.")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, e.name)));
  }
  return newest;
}

const outputs = (selected = targets) => selected.flatMap((t) => Object.keys(t.entries).map((name) => at(path.join(t.outdir, `${name}.js`))));

/** True when an output is missing or older than the newest source (a cheap mtime walk). */
export function isStale(selected = targets) {
  const outs = outputs(selected);
  if (!outs.every((o) => existsSync(o))) return true;
  const oldestOutput = Math.min(...outs.map((o) => statSync(o).mtimeMs));
  return Math.max(...sources.map((s) => newestMtime(at(s)))) > oldestOutput;
}

/**
 * Libraries bundled into the output: one file read and compiled instead of hundreds of modules
 * resolved one by one, which made a later start ~130 ms faster (bench:footprint, same run).
 */
const BUNDLED = /^(hono|@hono\/node-server|zod|undici|yaml|prom-client|lru-cache|postgres)(\/|$)/;

/** Leaves the other node_modules packages to Node at run time; bundles the workspaces' own sources and BUNDLED. */
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@llm-proxy/") || BUNDLED.test(args.path) ? undefined : { external: true }));
  },
};

async function buildTarget(esbuild, t) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: t.entries,
    outdir: t.outdir,
    bundle: true,
    // Dynamic imports become chunks loaded on first use, as in the sources.
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20.18",
    sourcemap: "linked",
    // Stack traces name the .ts file and line; the sources themselves need not ship.
    sourcesContent: false,
    // Bundled CommonJS packages require Node's built-ins: give ES modules a `require` to do it with.
    banner: { js: 'import { createRequire as __llmProxyRequire } from "node:module"; const require = __llmProxyRequire(import.meta.url);' },
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
    plugins: [externalPackages],
    write: false,
    logLevel: "warning",
  });
  const dir = at(t.outdir);
  const written = new Set();
  for (const f of result.outputFiles) {
    mkdirSync(path.dirname(f.path), { recursive: true });
    // Write then rename: a process starting during a rebuild never reads half a file.
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
    written.add(f.path);
  }
  for (const [to, from] of Object.entries(t.copy)) {
    // Replaced whole, so that a file renamed or deleted in the source (a migration) is gone here too.
    const dest = path.join(dir, to);
    const tmp = `${dest}.${process.pid}.tmp`;
    cpSync(at(from), tmp, { recursive: true });
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    written.add(dest);
  }
  // Chunks of an earlier build (their names carry a content hash).
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath ?? e.path, e.name);
    if (e.isFile() && /\.js(\.map)?$/.test(e.name) && !written.has(p) && ![...written].some((w) => p.startsWith(w + path.sep))) rmSync(p, { force: true });
  }
}

export async function build(selected = targets) {
  const esbuild = await import("esbuild").catch(() => {
    throw new Error("build: esbuild is not installed: run `npm install` (with dev dependencies) to compile the services");
  });
  const started = Date.now();
  await Promise.all(selected.map((t) => buildTarget(esbuild, t)));
  return Date.now() - started;
}

async function esbuildInstalled() {
  try {
    await import("esbuild");
    return true;
  } catch {
    return false;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith("--")));
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length > 0) {
    console.error(`build: unknown target ${unknown.join(", ")} (expected ${targets.map((t) => t.name).join(", ")})`);
    process.exit(2);
  }
  const selected = names.length > 0 ? targets.filter((t) => names.includes(t.name)) : targets;
  const onlyIfStale = flags.has("--if-stale") || flags.has("--prepare");
  if (flags.has("--prepare") && !(await esbuildInstalled())) {
    console.error("build: esbuild is not installed (production install): skipped");
  } else if (!onlyIfStale || isStale(selected)) {
    const ms = await build(selected).catch((err) => {
      console.error(err.message);
      process.exit(1);
    });
    console.error(`build: compiled ${outputs(selected).map((o) => path.relative(root, o)).join(", ")} in ${ms} ms`);
  }
  // The embedded database's template (node_modules/.cache/llm-proxy): made once per PGlite version.
  if (flags.has("--prepare") && selected.some((t) => t.name === "proxy") && existsSync(at("packages/proxy/dist/prepare-template.js"))) {
    execFileSync(process.execPath, [at("packages/proxy/dist/prepare-template.js")], { stdio: "inherit" });
  }
}

/** Vitest globalSetup: the suites spawn the compiled entry points, so build them once if stale. */
export async function setup() {
  if (isStale()) await build();
}
