import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { SourceMap } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliProcess } from "./helpers.js";

// The compiled output scripts/build.mjs writes (vitest's globalSetup builds it when stale):
// what `npm start`, `npm run dispatcher`, `npm run migrate`, the CLI and the image run.
const root = path.resolve(import.meta.dirname, "../../..");
const at = (p: string) => path.join(root, p);

/** Where the first output line containing `text` comes from, through the bundle's source map. */
function origin(bundle: string, text: string): { source: string; line: number } {
  const lines = readFileSync(at(bundle), "utf8").split("\n");
  const lineNumber = lines.findIndex((l) => l.includes(text));
  expect(lineNumber, `${text} in ${bundle}`).toBeGreaterThanOrEqual(0);
  const column = lines[lineNumber]?.indexOf(text) ?? 0;
  const map = new SourceMap(JSON.parse(readFileSync(at(`${bundle}.map`), "utf8")) as ConstructorParameters<typeof SourceMap>[0]);
  const entry = map.findEntry(lineNumber, column) as { originalSource?: string; originalLine?: number };
  return { source: path.resolve(path.dirname(at(bundle)), entry.originalSource ?? ""), line: (entry.originalLine ?? -1) + 1 };
}

const lineOf = (file: string, text: string) => readFileSync(at(file), "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;

describe("compiled build", () => {
  it.each([
    ["packages/proxy/dist/main.js", "packages/proxy/src/main.ts", "is running ("],
    ["packages/dispatcher/dist/main.js", "packages/dispatcher/src/main.ts", '"dispatcher stopped"'],
  ])("%s maps back to the .ts line it came from", (bundle, source, text) => {
    expect(origin(bundle, text)).toEqual({ source: at(source), line: lineOf(source, text) });
  });

  it("a stack trace from the built CLI names .ts files and lines", async () => {
    const r = await cliProcess(["no-such-command"], { LLM_PROXY_DEBUG: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`at run \\(${at("packages/scripts/src/cli.ts").replace(/[/.]/g, "\\$&")}:\\d+:\\d+\\)`));
  });

  it("the services run compiled JavaScript: no TypeScript loader or compiler in the process", () => {
    const { scripts } = JSON.parse(readFileSync(at("package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.start).toBe("node --enable-source-maps packages/proxy/dist/main.js");
    expect(scripts.migrate).toBe("node --enable-source-maps packages/proxy/dist/main.js migrate");
    expect(scripts.dispatcher).toBe("node --enable-source-maps packages/dispatcher/dist/main.js");
    for (const bundle of ["packages/proxy/dist/main.js", "packages/dispatcher/dist/main.js", "packages/scripts/dist/cli.js"]) {
      expect(readFileSync(at(bundle), "utf8")).not.toMatch(/from "(tsx|esbuild|typescript)[/"]/);
    }
    expect(readFileSync(at("packages/scripts/bin/llm-proxy.js"), "utf8")).not.toMatch(/tsx/);
  });

  it("`--if-stale` rebuilds an output older than its sources, and leaves a fresh one alone", () => {
    const output = at("packages/scripts/dist/infra/overrides.js");
    const build = () => execFileSync(process.execPath, [at("scripts/build.mjs"), "--if-stale"], { cwd: root, encoding: "utf8", stdio: "pipe" });
    utimesSync(output, new Date(0), new Date(0));
    build();
    const rebuilt = statSync(output).mtimeMs;
    expect(rebuilt).toBeGreaterThan(Date.now() - 120_000);
    build();
    expect(statSync(output).mtimeMs).toBe(rebuilt);
  });

  it("`prepare` under a production install (no esbuild) skips the build instead of failing `npm ci --omit=dev`", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "llm-proxy-prepare-"));
    try {
      copyFileSync(at("scripts/build.mjs"), path.join(dir, "build.mjs"));
      const r = spawnSync(process.execPath, [path.join(dir, "build.mjs"), "--prepare"], { cwd: dir, encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("esbuild is not installed (production install): skipped");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
