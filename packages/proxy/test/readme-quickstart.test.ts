import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The shell commands between the README's `<!-- name:begin -->` and `<!-- name:end -->`, fences removed. */
async function readmeBlock(name: string): Promise<string> {
  const readme = await fs.readFile(path.join(ROOT, "README.md"), "utf8");
  const m = new RegExp(`<!-- ${name}:begin -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(readme);
  if (!m?.[1]) throw new Error(`README.md has no ${name} block between the markers`);
  return m[1];
}

function run(script: string, env: Record<string, string>): { shell: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const shell = spawn("bash", ["-e", "-c", script], {
    cwd: ROOT,
    detached: true,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), LLM_PROXY_DOTENV: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  shell.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  shell.stderr?.on("data", (b: Buffer) => (err += b.toString()));
  return { shell, done: new Promise((resolve) => shell.once("exit", (code) => resolve({ code, out, err }))) };
}

/** Replaces `from` exactly `times` times (at least once), so a README edit cannot slip past. */
function swap(text: string, from: string | RegExp, to: string, times?: number): string {
  const re = typeof from === "string" ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g") : from;
  const count = [...text.matchAll(re)].length;
  if (count === 0 || (times !== undefined && count !== times)) throw new Error(`quick start: expected ${times ?? "some"} of ${String(from)}, found ${count}`);
  return text.replace(re, to);
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("README quick start", () => {
  let fake: FakeUpstream;
  let dir: string;
  let shell: ChildProcess | undefined;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-quickstart-"));
  });
  afterAll(async () => {
    // `npm start &` outlives the shell in its process group: end the whole group.
    if (shell?.pid) {
      try {
        process.kill(-shell.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    await fake?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("goes from nothing to a streamed answer, with curl and with the OpenAI SDK", { timeout: 180_000 }, async () => {
    const port = await freePort();
    let script = await readmeBlock("quickstart");
    // The only changes: no install (done), a free port and data directory, the stand-in upstream.
    script = swap(script, /^npm install\n/gm, "", 1);
    script = swap(script, "127.0.0.1:8080", `127.0.0.1:${port}`, 2);
    script = swap(script, "$(cat data/management-token)", `$(cat ${dir}/management-token)`, 1);
    script = swap(script, /^# (export OPENAI_API_URL=)\S+( UPSTREAM_KEY=sk-fake-not-a-real-key)$/gm, `$1${fake.url}$2`, 1);

    const started = run(script, { DATA_DIR: dir, LISTEN_ADDR: `127.0.0.1:${port}`, ADMIN_UI_LISTEN_ADDR: "127.0.0.1:0", LOG_LEVEL: "warn" });
    shell = started.shell;
    const { code, out, err } = await started.done;
    expect({ code, err: code === 0 ? "" : err }).toEqual({ code: 0, err: "" });

    // The start banner: local only, and the management token shown once.
    expect(err).toMatch(/reachable from this machine only/);
    const token = (await fs.readFile(path.join(dir, "management-token"), "utf8")).trim();
    expect(err).toContain(token);
    // curl: the server-sent events, through to the end.
    expect(out).toMatch(/^data: \{.*"content":"Hello"/m);
    expect(out).toContain("data: [DONE]");
    // The SDK read the stream to the end.
    expect(out).toContain("Hello from the fake stream\n");
    // Both calls reached the upstream as /v1/chat/completions, streamed, with the project's key.
    const chats = fake.seen.filter((r) => r.url === "/v1/chat/completions");
    expect(chats).toHaveLength(2);
    for (const c of chats) {
      expect(c.headers.authorization).toBe("Bearer sk-fake-not-a-real-key");
      expect(JSON.parse(c.body)).toMatchObject({ stream: true, model: "gpt-4o-mini" });
    }

    // The management API examples, in their order, against the same running proxy.
    let manage = await readmeBlock("manage-examples");
    manage = swap(manage, "127.0.0.1:8080", `127.0.0.1:${port}`, 1);
    manage = swap(manage, "$(cat data/management-token)", `$(cat ${dir}/management-token)`, 1);
    const examples = await run(`set -o pipefail\n${manage}`, {}).done;
    expect({ code: examples.code, err: examples.err }).toEqual({ code: 0, err: "" });
    // Nothing refused: the token was created and revoked before the project was deactivated.
    expect(examples.out).not.toMatch(/"error"/);
    expect(examples.out).toContain('"revoked_count":0');
    expect(examples.out).toMatch(/"is_active":false/);
  });
});
