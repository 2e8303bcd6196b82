#!/usr/bin/env node
// The CLI runs compiled JavaScript (packages/scripts/dist, built by scripts/build.mjs at
// `npm install`), rebuilt first when a source is newer; stack traces name the .ts lines.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { URL, fileURLToPath, pathToFileURL } from "node:url";

process.setSourceMapsEnabled(true);
const build = fileURLToPath(new URL("../../../scripts/build.mjs", import.meta.url));
if (existsSync(build)) {
  const { isStale } = await import(pathToFileURL(build).href);
  // A child process: the compiler never loads into the CLI's own process. Quiet unless it fails,
  // so the CLI's output stays its own.
  if (isStale()) execFileSync(process.execPath, [build], { stdio: "pipe" });
}
const { main } = await import("../dist/cli.js");
await main();
