import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
const instructions = dockerfile.replace(/\\\n\s*/g, " ").split("\n").filter((l) => /^[A-Z]+ /.test(l));
const stage = (name: string) => {
  const start = instructions.findIndex((l) => new RegExp(`^FROM .* AS ${name}$`, "i").test(l));
  const end = instructions.findIndex((l, i) => i > start && l.startsWith("FROM "));
  return instructions.slice(start, end === -1 ? undefined : end);
};

describe("Dockerfile", () => {
  it("copies only files that exist in the build context", () => {
    const sources = instructions.filter((l) => l.startsWith("COPY ") && !l.includes("--from=")).flatMap((l) => l.split(/\s+/).slice(1, -1).filter((w) => !w.startsWith("--")));
    expect(sources.length).toBeGreaterThan(5);
    const missing = sources.filter((src) => !existsSync(path.join(root, src)));
    // packages/dispatcher/src may arrive after this file (see the report); everything else must exist.
    expect(missing.filter((m) => m !== "packages/dispatcher/src")).toEqual([]);
  });

  const entrypoint = (target: string) => JSON.parse(stage(target).find((l) => l.startsWith("ENTRYPOINT "))?.slice("ENTRYPOINT ".length) ?? "[]") as string[];

  it.each([["proxy", "packages/proxy/dist/main.js", "8080/live"], ["dispatcher", "packages/dispatcher/dist/main.js", "9090/live"]])(
    "target %s runs the compiled output with node directly (SIGTERM reaches it), as a non-root user, with a health check",
    (target, entry, health) => {
      const lines = stage(target);
      expect(lines[0]).toMatch(/^FROM runtime AS/);
      // No TypeScript loader: node runs the build stage's JavaScript, stack traces mapped to .ts.
      expect(entrypoint(target)).toEqual(["node", "--enable-source-maps", entry]);
      expect(lines).toContain(`COPY --from=build --chown=node:node /app/${path.dirname(entry)} ${path.dirname(entry)}`);
      expect(lines.find((l) => l.startsWith("HEALTHCHECK"))).toContain(`127.0.0.1:${health}`);
      expect(stage("runtime")).toContain("USER node");
      expect(lines.some((l) => l.startsWith("USER root"))).toBe(false);
    },
  );

  it("runs on Node 24 and ships no TypeScript sources: the build stage compiles them", () => {
    expect(instructions.find((l) => l.startsWith("ARG NODE_IMAGE="))).toMatch(/^ARG NODE_IMAGE=node:24(-bookworm)?-slim$/);
    // postgres.js is bundled into the output (scripts/build.mjs BUNDLED): its patch must be applied before the build.
    expect(stage("build").find((l) => l.startsWith("RUN ") && l.includes("scripts/build.mjs"))).toBe("RUN node scripts/patch-postgres.mjs && node scripts/build.mjs proxy dispatcher");
    const shipped = [...stage("runtime"), ...stage("proxy"), ...stage("dispatcher")].filter((l) => l.startsWith("COPY "));
    expect(shipped.filter((l) => !l.includes("--from="))).toEqual([]);
    expect(shipped.some((l) => l.includes("/src"))).toBe(false);
  });

  it("installs production dependencies only, from the lockfile", () => {
    expect(stage("deps").find((l) => l.startsWith("RUN"))).toMatch(/npm ci --omit=dev --ignore-scripts/);
  });

  it(".dockerignore keeps node_modules, secrets and SST state out of the context", () => {
    const ignore = readFileSync(path.join(root, ".dockerignore"), "utf8").split("\n");
    // SST appends ".sst" when the exact line is missing, rewriting the file at every deploy.
    expect(ignore).toEqual(expect.arrayContaining(["**/node_modules", ".sst", ".env", ".git"]));
  });

  // What the image does at start, without Docker: a clean production install plus the build
  // output (vitest's globalSetup builds it when stale), then the entrypoint.
  it.runIf(process.env.INFRA_IMAGE_SMOKE === "1")("starts the compiled proxy from a clean `npm ci --omit=dev` install", { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "llm-proxy-image-"));
    try {
      for (const f of ["package.json", "package-lock.json"]) cpSync(path.join(root, f), path.join(dir, f));
      for (const pkg of ["events", "proxy", "dispatcher", "scripts"]) {
        mkdirSync(path.join(dir, "packages", pkg), { recursive: true });
        cpSync(path.join(root, "packages", pkg, "package.json"), path.join(dir, "packages", pkg, "package.json"));
      }
      cpSync(path.join(root, "packages/proxy/dist"), path.join(dir, "packages/proxy/dist"), { recursive: true });
      // The same install the image runs: the arguments of the deps stage's `RUN npm ci …`.
      const run = stage("deps").find((l) => l.startsWith("RUN npm ci"))?.match(/RUN npm (ci [^&]*)/)?.[1] ?? "";
      execFileSync("npm", [...run.trim().split(/\s+/), "--prefer-offline"], { cwd: dir, stdio: "pipe" });
      for (const dev of ["sst", "tsx", "typescript", "esbuild"]) expect(existsSync(path.join(dir, "node_modules", dev)), `${dev} installed`).toBe(false);
      const port = 18_000 + Math.floor(Math.random() * 1000);
      const [command = "", ...args] = entrypoint("proxy");
      const child = spawn(command, args, {
        cwd: dir,
        env: { PATH: process.env.PATH, NODE_ENV: "production", LISTEN_ADDR: `127.0.0.1:${port}`, ADMIN_UI_ENABLED: "false", DATA_DIR: path.join(dir, "data") },
        stdio: "pipe",
      });
      try {
        let status = 0;
        for (let i = 0; i < 60 && status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 500));
          status = await fetch(`http://127.0.0.1:${port}/live`).then((r) => r.status, () => 0);
        }
        expect(status).toBe(200);
        child.kill("SIGTERM");
        const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
        expect(code).toBe(0);
      } finally {
        child.kill("SIGKILL");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
