import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFingerprint, sha256Hex } from "../src/security/secrets.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { freshPostgresDatabase, startStack, storageKinds, TEST_MANAGEMENT_TOKEN, type Stack } from "./harness.js";
import { runProxy } from "./process.js";

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const UPSTREAM_KEY = "sk-upstream-real-key-0123456789";

describe.each(storageKinds())("ENCRYPTION_KEY checked against the data at start on %s storage", (kind) => {
  let fake: FakeUpstream;
  let dir = "";
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  let token = "";
  const where = (): Record<string, string> => (pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dir });
  const env = (key?: Buffer) => ({ OPENAI_API_URL: fake.url, ADMIN_UI_ENABLED: "false", ...where(), ...(key ? { ENCRYPTION_KEY: key.toString("base64") } : {}) });
  const start = (key?: Buffer) => startStack(kind, env(key));
  const cli = async (args: string[], key?: Buffer) => {
    const child = runProxy(args, { ...where(), MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN, ...(key ? { ENCRYPTION_KEY: key.toString("base64") } : {}) });
    return { code: await child.exited, output: child.output() };
  };
  const chat = async (s: Stack, secret: string) => {
    const res = await fetch(`${s.apiUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const fingerprintRow = async (s: Stack) => (await s.db.sql<{ value: string }[]>`SELECT value FROM settings WHERE name = 'encryption_key_fingerprint'`)[0]?.value;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-keycheck-"));
    if (kind === "postgres") pg = await freshPostgresDatabase();
  });
  afterAll(async () => {
    await fake?.close();
    await pg?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("plaintext data under a new key: refused with the migrate instruction; after migrate encrypt the same token works", async () => {
    const plain = await start();
    const project = (await (await plain.manage("/manage/projects", { json: { name: "p", api_key: UPSTREAM_KEY } })).json()) as { id: string };
    token = ((await (await plain.manage("/manage/tokens", { json: { project_id: project.id, duration_minutes: 60 } })).json()) as { token: string }).token;
    expect(await chat(plain, token)).toBe(200);
    expect(await fingerprintRow(plain)).toBeUndefined();
    await plain.close();

    await expect(start(KEY)).rejects.toThrow(
      "ENCRYPTION_KEY: set, but this data holds 1 plaintext upstream keys and 1 plaintext tokens stored before it was set, which would stop working. With the server stopped, run `npm run migrate -- encrypt`",
    );
    const migrated = await cli(["migrate", "encrypt"], KEY);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.output)).toEqual({ projects: 1, tokens: 1 });

    const encrypted = await start(KEY);
    try {
      expect(await chat(encrypted, token)).toBe(200);
      expect(fake.seen.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      const fingerprint = await fingerprintRow(encrypted);
      expect(fingerprint).toBe(keyFingerprint(KEY));
      expect(fingerprint).not.toContain(KEY.toString("base64"));
      expect(fingerprint).not.toContain(KEY.toString("hex"));
      expect(fingerprint).not.toContain(sha256Hex(KEY.toString("base64")));
    } finally {
      await encrypted.close();
    }
  });

  it("a different key, or none, is refused naming ENCRYPTION_KEY; migrate encrypt refuses another key too", async () => {
    await expect(start(OTHER_KEY)).rejects.toThrow("ENCRYPTION_KEY: this data was encrypted with a different key. Set ENCRYPTION_KEY back to the key it was encrypted with");
    await expect(start()).rejects.toThrow(
      "ENCRYPTION_KEY: not set, but this data is encrypted (1 sealed upstream keys, 1 hashed tokens). Set ENCRYPTION_KEY to the key it was encrypted with",
    );
    const other = await cli(["migrate", "encrypt"], OTHER_KEY);
    expect(other.code).toBe(1);
    expect(other.output).toContain("this data was encrypted with a different key");
    // The real entry point: one line, exit 1, and no key in it.
    const refused = await cli(["serve"], OTHER_KEY);
    expect(refused.code).toBe(1);
    expect(refused.output.trim()).toMatch(/^llm-proxy: ENCRYPTION_KEY: this data was encrypted with a different key\. [^\n]+$/);
    expect(refused.output).not.toContain(OTHER_KEY.toString("base64"));

    const again = await start(KEY);
    expect(await chat(again, token)).toBe(200);
    await again.close();
  });

  it("data encrypted before fingerprints were recorded: the key is checked by opening a sealed upstream key, then recorded", async () => {
    const s = await start(KEY);
    await s.db.sql`DELETE FROM settings`;
    await s.close();
    await expect(start(OTHER_KEY)).rejects.toThrow("encrypted with a different key");
    const right = await start(KEY);
    expect(await fingerprintRow(right)).toBe(keyFingerprint(KEY));
    expect(await chat(right, token)).toBe(200);
    await right.close();
  });
});

describe.each(storageKinds())("the recorded fingerprint on %s storage", (kind) => {
  let dir = "";
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  const start = (key?: Buffer) =>
    startStack(kind, { ADMIN_UI_ENABLED: "false", ...(pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dir }), ...(key ? { ENCRYPTION_KEY: key.toString("base64") } : {}) });
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-keyrecord-"));
    if (kind === "postgres") pg = await freshPostgresDatabase();
  });
  afterAll(async () => {
    await pg?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  // A keyed start whose fingerprint is on record skips counting the data; a keyless start must
  // therefore drop the record before it writes plaintext, or the next keyed start would miss it.
  it("is dropped by a start without a key, so plaintext written then is still caught", async () => {
    const keyed = await start(KEY);
    await keyed.close();
    const keyless = await start();
    expect((await keyless.db.sql`SELECT value FROM settings WHERE name = 'encryption_key_fingerprint'`).length).toBe(0);
    expect((await keyless.manage("/manage/projects", { json: { name: "plain", api_key: UPSTREAM_KEY } })).status).toBe(201);
    await keyless.close();
    await expect(start(KEY)).rejects.toThrow("this data holds 1 plaintext upstream keys");
  });
});

describe("the admin sign-in page names the management token file", () => {
  let dir = "";
  const stacks: Stack[] = [];
  const loginPage = async (s: Stack) => (await fetch(`${s.adminUrl}/auth/login`)).text();
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-tokenfile-"));
  });
  afterAll(async () => {
    for (const s of stacks) await s.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("only while it exists and holds the token in use", async () => {
    const file = path.join(dir, "management-token");
    const generated = await startStack("embedded", { DATA_DIR: dir, MANAGEMENT_TOKEN: "" });
    stacks.push(generated);
    expect(await loginPage(generated)).toContain(`kept in <code>${file}</code>`);
    await fs.writeFile(file, "a-token-from-another-start-000000\n");
    expect(await loginPage(generated)).not.toContain("management-token");
    await fs.rm(file);
    expect(await loginPage(generated)).not.toContain("management-token");
    await generated.close();
    stacks.pop();

    // MANAGEMENT_TOKEN set: a token file left by an earlier start is stale and never named.
    await fs.writeFile(file, "a-token-from-another-start-000000\n");
    const configured = await startStack("embedded", { DATA_DIR: dir, MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN });
    stacks.push(configured);
    const page = await loginPage(configured);
    expect(page).toContain("The <code>MANAGEMENT_TOKEN</code> of this deployment");
    expect(page).not.toContain("management-token");
  });
});
