import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, ".github/workflows", file), "utf8");

/** The block of a top-level job: its lines up to the next job at the same indentation. */
function job(text: string, name: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l === `  ${name}:`);
  if (start === -1) throw new Error(`no job ${name}`);
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start, end === -1 ? undefined : end).join("\n");
}

describe("deploy.yml", () => {
  const deploy = read("deploy.yml");

  it("deploys only after the test job (the CI workflow) has passed", () => {
    expect(job(deploy, "test")).toMatch(/uses: \.\/\.github\/workflows\/ci\.yml/);
    expect(read("ci.yml")).toMatch(/^ {2}workflow_call:/m);
    const d = job(deploy, "deploy");
    expect(d).toMatch(/needs: test/);
    expect(d.indexOf("sst deploy")).toBeGreaterThan(0);
  });

  it("takes the region from infra/stage.ts, as sst.config.ts and the CLI do, and the domain from the environment", () => {
    const d = job(deploy, "deploy");
    expect(d).toMatch(/aws-region: \$\{\{ steps\.region\.outputs\.region \}\}/);
    expect(d).toMatch(/npx tsx infra\/region-cli\.ts --stage "\$STAGE"/);
    expect(d).not.toMatch(/AWS_REGION/);
    expect(d).toMatch(/LLM_PROXY_DOMAIN: \$\{\{ vars\.LLM_PROXY_DOMAIN \}\}/);
    const region = execFileSync("npx", ["tsx", "infra/region-cli.ts", "--stage", "prod"], { cwd: root, encoding: "utf8" }).trim();
    expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
  });
});
