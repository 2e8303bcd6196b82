import fs from "node:fs/promises";
import path from "node:path";
import { tempDir } from "./helpers.js";

export interface SstCall {
  argv: string[];
  stdin: string;
  cwd: string;
}

// A stand-in `sst` (the real one needs AWS): records argv, stdin and cwd, keeps secrets per stage
// in a JSON file, and prints `secret list` the way sst does.
const SCRIPT = `#!/usr/bin/env node
const fs = require("node:fs");
const [log, stateFile] = [process.env.FAKE_SST_LOG, process.env.FAKE_SST_STATE];
const argv = process.argv.slice(2);
const stdin = argv[1] === "set" ? fs.readFileSync(0, "utf8") : "";
fs.appendFileSync(log, JSON.stringify({ argv, stdin, cwd: process.cwd() }) + "\\n");
const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, "utf8")) : {};
const stage = argv[argv.indexOf("--stage") + 1];
const secrets = (state[stage] ??= {});
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
if (process.env.FAKE_SST_FAIL) { console.error("Error: " + process.env.FAKE_SST_FAIL); process.exit(1); }
if (argv[0] !== "secret") { console.error("unexpected"); process.exit(3); }
if (argv[1] === "set") { secrets[argv[2]] = stdin; save(); console.log("\\u2713  Set \\"" + argv[2] + "\\" for stage \\"" + stage + "\\". Run \\"sst deploy\\" to update."); }
else if (argv[1] === "remove") {
  if (!(argv[2] in secrets)) { console.error("\\u2715  Secret \\"" + argv[2] + "\\" does not exist"); process.exit(1); }
  delete secrets[argv[2]]; save(); console.log("\\u2713  Removed");
} else if (argv[1] === "list") {
  if (Object.keys(secrets).length === 0) { console.error("\\u2715  No secrets found"); process.exit(1); }
  console.log("\\u001b[37m# llm-proxy/" + stage + "\\u001b[0m");
  for (const [k, v] of Object.entries(secrets)) console.log(k + "=" + v);
}
`;

export async function fakeSst() {
  const dir = await tempDir("fake-sst-");
  await fs.writeFile(path.join(dir, "sst"), SCRIPT, { mode: 0o755 });
  const log = path.join(dir, "calls.jsonl");
  const state = path.join(dir, "state.json");
  return {
    env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ""}`, FAKE_SST_LOG: log, FAKE_SST_STATE: state },
    async calls(): Promise<SstCall[]> {
      const text = await fs.readFile(log, "utf8").catch(() => "");
      return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as SstCall);
    },
    async secrets(stage: string): Promise<Record<string, string>> {
      const text = await fs.readFile(state, "utf8").catch(() => "{}");
      return (JSON.parse(text) as Record<string, Record<string, string>>)[stage] ?? {};
    },
    async seed(stage: string, values: Record<string, string>) {
      await fs.writeFile(state, JSON.stringify({ [stage]: values }));
    },
    async reset() {
      await fs.rm(log, { force: true });
    },
  };
}
