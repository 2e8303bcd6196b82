import fs from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliProcess, tempDir, type CliResult } from "./helpers.js";

// The real bin in a child process: what a shell script sees. Each failure is exactly one line on
// stderr, no stack trace, and the documented exit code.
let api: http.Server;
let apiUrl: string;
let closedUrl: string;
let cwd: string;

beforeAll(async () => {
  api = http.createServer((req, res) => {
    res.writeHead(req.url === "/manage/projects" ? 200 : 404, { "content-type": "application/json" });
    res.end(req.url === "/manage/projects" ? "[]" : JSON.stringify({ error: "project not found" }));
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  // A port that was free a moment ago: nothing listens there.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
  cwd = await tempDir("cli-errors-"); // no .env or data/ here
});
afterAll(() => new Promise<void>((r) => api.close(() => r())));

const oneLine = (r: CliResult) => {
  expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
};

describe("the bin as a process: exit codes and one-line errors", () => {
  it("each failure is one line with its exit code; help and success exit 0", async () => {
    const mt = { MANAGEMENT_TOKEN: "mt-0123456789abcdef" };
    const [missingToken, unreachable, unknownProject, unknownCommand, badFlag, help, ok, noArgs] = await Promise.all([
      cliProcess(["project", "list", "--api-url", apiUrl], {}, cwd),
      cliProcess(["project", "list", "--api-url", closedUrl], mt, cwd),
      cliProcess(["project", "get", "nope", "--api-url", apiUrl], mt, cwd),
      cliProcess(["projects", "lst"], {}, cwd),
      cliProcess(["token", "list", "--colour"], mt, cwd),
      cliProcess(["token", "create", "--help"], {}, cwd),
      cliProcess(["project", "list", "--json"], { ...mt, LLM_PROXY_API_URL: apiUrl }, cwd),
      cliProcess([], {}, cwd),
    ]);

    expect(missingToken).toMatchObject({ code: 2, stdout: "", stderr: "llm-proxy: no management token: pass --management-token or set MANAGEMENT_TOKEN\n" });
    expect(unreachable).toMatchObject({ code: 1, stdout: "", stderr: `llm-proxy: cannot reach the management API at ${closedUrl}: ECONNREFUSED\n` });
    expect(unknownProject).toMatchObject({ code: 1, stderr: "llm-proxy: GET /manage/projects/nope: project not found (HTTP 404)\n" });
    expect(unknownCommand).toMatchObject({ code: 2, stderr: 'llm-proxy: unknown command "projects lst" (see llm-proxy --help)\n' });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^llm-proxy: Unknown option '--colour'.*\(see llm-proxy token list --help\)\n$/);
    for (const r of [missingToken, unreachable, unknownProject, unknownCommand, badFlag]) oneLine(r);

    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/^usage: llm-proxy token create \[options\]/);
    expect(ok).toMatchObject({ code: 0, stdout: "[]\n", stderr: "" });
    expect(noArgs.code).toBe(2);
    expect(noArgs.stdout).toContain("usage: llm-proxy <command>");
  });

  it("reads ./.env (or the file ENV names) under the process environment, as the services do", async () => {
    const dir = await tempDir("cli-dotenv-");
    await fs.writeFile(path.join(dir, ".env"), `MANAGEMENT_TOKEN=mt-0123456789abcdef   # from .env\nLLM_PROXY_API_URL=${closedUrl}\n`);
    const on = { LLM_PROXY_DOTENV: "true" };
    const [fromFile, envWins, off, missing] = await Promise.all([
      cliProcess(["project", "list"], on, dir),
      cliProcess(["project", "list", "--json"], { ...on, LLM_PROXY_API_URL: apiUrl }, dir),
      cliProcess(["project", "list"], { LLM_PROXY_API_URL: closedUrl }, cwd),
      cliProcess(["project", "list"], { ...on, ENV: "missing.env" }, dir),
    ]);
    expect(fromFile).toMatchObject({ code: 1, stderr: `llm-proxy: cannot reach the management API at ${closedUrl}: ECONNREFUSED\n` });
    expect(envWins).toMatchObject({ code: 0, stderr: "" });
    expect(off).toMatchObject({ code: 2, stderr: "llm-proxy: no management token: pass --management-token or set MANAGEMENT_TOKEN\n" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^llm-proxy: ENV: cannot read .*missing\.env \(ENOENT\)\n$/);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("bench and chat against an unreachable proxy fail in one line", async () => {
    const [bench, chat] = await Promise.all([
      cliProcess(["bench", "--token", "sk-x", "--api-url", closedUrl, "-n", "2"], {}, cwd),
      cliProcess(["chat", "--token", "sk-x", "--api-url", closedUrl], {}, cwd),
    ]);
    expect(bench).toMatchObject({ code: 1, stderr: `llm-proxy: cannot reach ${closedUrl}/v1/chat/completions: ECONNREFUSED\n` });
    // chat reads stdin (empty here): nothing asked, nothing failed.
    expect(chat.code).toBe(0);
  });
});
