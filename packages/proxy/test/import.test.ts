import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createSecrets, sha256Hex } from "../src/security/secrets.js";
import { openDatabase } from "../src/storage/db.js";
import { importCommand } from "../src/storage/import/command.js";
import type { ImportReport } from "../src/storage/import/report.js";
import { generateTokenSecret } from "../src/tokens/format.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { freshPostgresDatabase, startStack, type Stack } from "./harness.js";
import { runProxy } from "./process.js";
import { goTime, writeOriginalPostgres, writeOriginalSqlite, type OriginalSeed } from "./original-db.js";
import { postgresUrl } from "../../../test/services.js";

const HOUR = 3600_000;
const at = (offsetMs: number) => goTime(new Date(Date.now() + offsetMs));

/** What the Go llm-proxy would hold after some use: one project per state, one token per case. */
function originalData(opts: { key?: Buffer } = {}) {
  const secrets = createSecrets(opts.key);
  const s = { live: generateTokenSecret(), quota: generateTokenSecret(), expired: generateTokenSecret(), revoked: generateTokenSecret(), hashed: generateTokenSecret() };
  const ids = { live: randomUUID(), quota: randomUUID(), expired: randomUUID(), revoked: randomUUID(), hashed: randomUUID(), bcrypt: randomUUID() };
  const p = { main: randomUUID(), off: randomUUID() };
  const upstreamKey = "sk-upstream-original-0123456789";
  const seed: OriginalSeed = {
    projects: [
      { id: p.main, name: "original main", api_key: secrets.sealApiKey(upstreamKey), is_active: true, created_at: at(-48 * HOUR), updated_at: at(-24 * HOUR) },
      { id: p.off, name: "original off", api_key: "sk-upstream-off", is_active: false, deactivated_at: at(-HOUR), created_at: at(-48 * HOUR), updated_at: at(-HOUR) },
    ],
    tokens: [
      { id: ids.live, token: secrets.tokenLookupKey(s.live), project_id: p.main, expires_at: at(24 * HOUR), is_active: true, request_count: 7, max_requests: 0, created_at: at(-HOUR), last_used_at: at(-60_000), cache_hit_count: 3 },
      { id: ids.quota, token: s.quota, project_id: p.main, expires_at: at(24 * HOUR), is_active: true, request_count: 2, max_requests: 3, created_at: at(-HOUR) },
      { id: ids.expired, token: s.expired, project_id: p.main, expires_at: at(-HOUR), is_active: true, request_count: 0, created_at: at(-2 * HOUR) },
      { id: ids.revoked, token: s.revoked, project_id: p.main, expires_at: at(HOUR), is_active: false, deactivated_at: at(-HOUR), request_count: 1, created_at: at(-2 * HOUR) },
      ...(opts.key ? [{ id: ids.hashed, token: sha256Hex(s.hashed), project_id: p.main, expires_at: null, is_active: true, request_count: 0, created_at: at(-HOUR) }] : []),
      { id: ids.bcrypt, token: "hash:v1:$2a$10$abcdefghijklmnopqrstuv", project_id: p.main, expires_at: at(HOUR), is_active: true, request_count: 0, created_at: at(-HOUR) },
    ],
    audit: [
      { id: randomUUID(), timestamp: at(-HOUR), action: "token.create", actor: "management_api", project_id: p.main, outcome: "success", method: "POST", path: "/manage/tokens", metadata: JSON.stringify({ token_id: "abcd1234...ef01" }) },
      { id: randomUUID(), timestamp: at(-60_000), action: "proxy_request", actor: "system", project_id: p.off, outcome: "denied", reason: "project_inactive", metadata: "not json" },
    ],
  };
  return { seed, secrets: s, ids, projects: p, upstreamKey };
}

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-import-"));
}

/** Runs `migrate import` as the CLI does, against the storage an env describes. */
async function runImport(env: Record<string, string>, args: string[]): Promise<ImportReport> {
  const config = loadConfig({ MANAGEMENT_TOKEN: "import-test-management-token", ...env });
  const db = await openDatabase(config.storage);
  try {
    return JSON.parse(await importCommand([...args, "--json"], db.sql, createSecrets(config.encryptionKey))) as ImportReport;
  } finally {
    await db.close();
  }
}

function sdk(stack: Stack, secret: string): OpenAI {
  return new OpenAI({ apiKey: secret, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0, timeout: 20_000 });
}

const ask = (client: OpenAI) => client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake?.close();
});

describe("import from the original's SQLite file into the embedded database", () => {
  const key = randomBytes(32);
  const env: Record<string, string> = {};
  let o: ReturnType<typeof originalData>;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await tmpDir();
    file = path.join(dir, "llm-proxy.db");
    o = originalData({ key });
    await writeOriginalSqlite(file, o.seed);
    Object.assign(env, { DATA_DIR: path.join(dir, "data"), ENCRYPTION_KEY: key.toString("base64") });
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("a dry run reports what it would do and writes nothing", async () => {
    const report = await runImport(env, ["--from", file, "--dry-run"]);
    expect(report.dryRun).toBe(true);
    expect(report.tables).toEqual({
      projects: { read: 2, imported: 2, alreadyThere: 0, notCarried: 0 },
      tokens: { read: 6, imported: 5, alreadyThere: 0, notCarried: 1 },
      audit_events: { read: 2, imported: 2, alreadyThere: 0, notCarried: 0 },
    });
    const again = await runImport(env, ["--from", file, "--dry-run"]);
    expect(again.tables.tokens.imported).toBe(5);
  });

  it("imports, names the bcrypt token it cannot carry, and a second run changes nothing", async () => {
    const report = await runImport(env, ["--from", file]);
    expect(report.tables.tokens).toEqual({ read: 6, imported: 5, alreadyThere: 0, notCarried: 1 });
    expect(report.notCarried).toEqual([{ table: "tokens", id: o.ids.bcrypt, reason: expect.stringMatching(/^bcrypt-hashed token \(hash:v1:\)/) }]);
    expect(report.notes.join("\n")).toMatch(/1 plaintext upstream keys are stored sealed/);
    expect(report.notes.join("\n")).toMatch(/3 plaintext tokens are stored as their SHA-256 lookup key/);
    expect(report.notes.join("\n")).toMatch(/1 audit events had metadata that is not a JSON object/);

    const second = await runImport(env, ["--from", file]);
    expect(second.tables).toEqual({
      projects: { read: 2, imported: 0, alreadyThere: 2, notCarried: 0 },
      tokens: { read: 6, imported: 0, alreadyThere: 5, notCarried: 1 },
      audit_events: { read: 2, imported: 0, alreadyThere: 2, notCarried: 0 },
    });
  });

  it("the original's tokens work unchanged through the proxy with the official SDK", async () => {
    const stack = await startStack("embedded", { ...env, OPENAI_API_URL: fake.url });
    try {
      fake.seen.length = 0;
      const answer = await ask(sdk(stack, o.secrets.live));
      expect(answer.choices[0]?.message.content).toBe("Hello from the fake upstream");
      expect(fake.seen.at(-1)?.headers.authorization).toBe(`Bearer ${o.upstreamKey}`);
      await ask(sdk(stack, o.secrets.hashed));

      // The quota and the count carried over: 2 of 3 used, one more, then 429.
      await ask(sdk(stack, o.secrets.quota));
      await expect(ask(sdk(stack, o.secrets.quota))).rejects.toMatchObject({ status: 429 });
      await expect(ask(sdk(stack, o.secrets.expired))).rejects.toMatchObject({ status: 401 });
      await expect(ask(sdk(stack, o.secrets.revoked))).rejects.toMatchObject({ status: 401 });

      const token = (await (await stack.manage(`/manage/tokens/${o.ids.live}`)).json()) as Record<string, unknown>;
      expect(token).toMatchObject({ id: o.ids.live, project_id: o.projects.main, is_active: true, cache_hit_count: 3 });
      expect(token.request_count).toBeGreaterThanOrEqual(7);
      const revoked = (await (await stack.manage(`/manage/tokens/${o.ids.revoked}`)).json()) as Record<string, unknown>;
      expect(revoked).toMatchObject({ is_active: false, deactivated_at: expect.any(String) });
      const off = (await (await stack.manage(`/manage/projects/${o.projects.off}`)).json()) as Record<string, unknown>;
      expect(off).toMatchObject({ name: "original off", is_active: false, deactivated_at: expect.any(String) });
      const audit = (await (await stack.manage(`/manage/audit?action=proxy_request&outcome=denied`)).json()) as { events: Record<string, unknown>[] };
      expect(audit.events).toContainEqual(expect.objectContaining({ project_id: o.projects.off, reason: "project_inactive", metadata: JSON.stringify({ original_metadata: "not json" }) }));
    } finally {
      await stack.close();
    }
  });
});

describe("import without ENCRYPTION_KEY", () => {
  it("carries plaintext keys and tokens as they are (the compiled CLI, sql.js from the bundle)", async () => {
    const dir = await tmpDir();
    try {
      const o = originalData();
      const file = path.join(dir, "plain.db");
      await writeOriginalSqlite(file, o.seed);
      const env = { DATA_DIR: path.join(dir, "data") };
      const cli = runProxy(["migrate", "import", "--from", file], { ...env, LOG_LEVEL: "silent" });
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toMatch(/^Imported from the Go llm-proxy's SQLite file .*plain\.db \(SQLite, final schema\)\n/);
      expect(cli.output()).toMatch(/\n {2}tokens {14}5 {13}4 {13}0 {12}1\n/);
      expect(cli.output()).toContain(`Not carried (1):\n  tokens ${o.ids.bcrypt}: bcrypt-hashed token (hash:v1:)`);
      const stack = await startStack("embedded", { ...env, OPENAI_API_URL: fake.url });
      try {
        await ask(sdk(stack, o.secrets.live));
        expect(fake.seen.at(-1)?.headers.authorization).toBe(`Bearer ${o.upstreamKey}`);
      } finally {
        await stack.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses an encrypted source until the key is set", async () => {
    const dir = await tmpDir();
    try {
      const file = path.join(dir, "sealed.db");
      await writeOriginalSqlite(file, originalData({ key: randomBytes(32) }).seed);
      await expect(runImport({ DATA_DIR: path.join(dir, "data") }, ["--from", file])).rejects.toThrow(/the source is encrypted .* but ENCRYPTION_KEY is not set/);
      await expect(runImport({ DATA_DIR: path.join(dir, "data"), ENCRYPTION_KEY: randomBytes(32).toString("base64") }, ["--from", file])).rejects.toThrow(
        /ENCRYPTION_KEY does not open the upstream key of project/,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("which SQLite sources are recognised: earlier states yes, anything else refused with a reason", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tmpDir();
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const run = (from: string) => runImport({ DATA_DIR: path.join(dir, "data") }, ["--from", from]);

  it("a missing file, a file that is not SQLite, another schema, another scheme", async () => {
    await expect(run(path.join(dir, "nope.db"))).rejects.toThrow(/nope\.db: no such file/);
    await fs.writeFile(path.join(dir, "text.db"), "hello");
    await expect(run(path.join(dir, "text.db"))).rejects.toThrow(/text\.db is not a SQLite database/);
    await writeOriginalSqlite(path.join(dir, "other.db"), { projects: [], tokens: [] }, "CREATE TABLE projects (id TEXT PRIMARY KEY, title TEXT);");
    await expect(run(path.join(dir, "other.db"))).rejects.toThrow(/other\.db does not hold the Go llm-proxy's schema: it has no tokens table/);
    await expect(run("mysql://u:secret@db/x")).rejects.toThrow(/unsupported source .*MySQL is not supported/);
  });

  it("an early SQLite file (openai_api_key, tokens keyed by the secret) imports with stable derived ids", async () => {
    const file = path.join(dir, "early.db");
    const o = originalData();
    const early = `
      CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, openai_api_key TEXT NOT NULL, is_active BOOLEAN NOT NULL DEFAULT 1,
        created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
      CREATE TABLE tokens (token TEXT PRIMARY KEY, project_id TEXT NOT NULL, expires_at DATETIME, is_active BOOLEAN NOT NULL DEFAULT 1,
        request_count INTEGER NOT NULL DEFAULT 0, max_requests INTEGER, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, last_used_at DATETIME);`;
    await writeOriginalSqlite(
      file,
      {
        projects: [{ id: "early-p", name: "early", openai_api_key: "sk-up", is_active: 1, created_at: "2025-01-01 10:00:00", updated_at: "2025-01-01 10:00:00" }],
        tokens: [{ token: o.secrets.live, project_id: "early-p", expires_at: null, is_active: 1, request_count: 5, max_requests: null, created_at: "2025-01-01 10:00:00" }],
      },
      early,
    );
    const first = await run(file);
    expect(first.source.schema).toBe("SQLite, earlier schema (projects.openai_api_key, tokens without ids, no deactivated_at, no cache_hit_count, no audit_events)");
    expect(first.tables.tokens).toEqual({ read: 1, imported: 1, alreadyThere: 0, notCarried: 0 });
    expect((await run(file)).tables).toMatchObject({ projects: { alreadyThere: 1 }, tokens: { imported: 0, alreadyThere: 1 } });
  });

  it("a SQLite file whose WAL was not checkpointed", async () => {
    const file = path.join(dir, "wal.db");
    await writeOriginalSqlite(file, { projects: [], tokens: [] });
    await fs.writeFile(`${file}-wal`, "pending");
    await expect(run(file)).rejects.toThrow(/wal\.db-wal holds writes not yet in/);
  });
});

describe.skipIf(!postgresUrl())("import from the original's PostgreSQL database", () => {
  it("final schema (goose 6) into a PostgreSQL target; the tokens work with the SDK", async () => {
    const source = await freshPostgresDatabase();
    const target = await freshPostgresDatabase();
    try {
      const o = originalData();
      await writeOriginalPostgres(source.url, { ...o.seed, projects: o.seed.projects, tokens: o.seed.tokens });
      const env = { DATABASE_URL: target.url, DATABASE_SSL: "disable" };
      const report = await runImport(env, ["--from", source.url]);
      expect(report.source).toMatchObject({ kind: "postgres", schema: "goose version 6, final schema" });
      expect(report.tables).toEqual({
        projects: { read: 2, imported: 2, alreadyThere: 0, notCarried: 0 },
        tokens: { read: 5, imported: 4, alreadyThere: 0, notCarried: 1 },
        audit_events: { read: 2, imported: 2, alreadyThere: 0, notCarried: 0 },
      });
      expect((await runImport(env, ["--from", source.url])).tables.tokens).toMatchObject({ imported: 0, alreadyThere: 4 });
      const stack = await startStack("postgres", { ...env, OPENAI_API_URL: fake.url });
      try {
        await ask(sdk(stack, o.secrets.live));
        await ask(sdk(stack, o.secrets.quota));
        await expect(ask(sdk(stack, o.secrets.quota))).rejects.toMatchObject({ status: 429 });
      } finally {
        await stack.close();
      }
    } finally {
      await source.drop();
      await target.drop();
    }
  });

  it("DATABASE_URL at the original's database: a clear message that says how to import, not a SQL error", async () => {
    const original = await freshPostgresDatabase();
    try {
      await writeOriginalPostgres(original.url, originalData().seed);
      await expect(startStack("postgres", { DATABASE_URL: original.url, DATABASE_SSL: "disable" })).rejects.toThrow(
        /^DATABASE_URL points at a database that holds the Go llm-proxy's schema \(its goose_db_version table\), not this proxy's\. .*npm run migrate -- import --from postgres:/,
      );
    } finally {
      await original.drop();
    }
  });

  it("an early schema (goose 3: tokens without ids, openai_api_key): stable derived ids, idempotent", async () => {
    const source = await freshPostgresDatabase();
    const dir = await tmpDir();
    try {
      const o = originalData();
      const early: OriginalSeed = {
        projects: o.seed.projects.map(({ api_key, ...p }) => ({ ...p, openai_api_key: api_key })),
        tokens: o.seed.tokens.map(({ id: _id, ...t }) => t),
        audit: o.seed.audit?.filter((a) => a.outcome === "success"),
      };
      await writeOriginalPostgres(source.url, early, 3);
      const env = { DATA_DIR: path.join(dir, "data") };
      const report = await runImport(env, ["--from", source.url]);
      expect(report.source.schema).toBe("goose version 3, earlier schema (projects.openai_api_key, tokens without ids)");
      expect(report.tables.tokens).toEqual({ read: 5, imported: 4, alreadyThere: 0, notCarried: 1 });
      expect(report.notes.join("\n")).toMatch(/4 tokens had no id/);
      expect((await runImport(env, ["--from", source.url])).tables.tokens).toEqual({ read: 5, imported: 0, alreadyThere: 4, notCarried: 1 });
      const stack = await startStack("embedded", { ...env, OPENAI_API_URL: fake.url });
      try {
        await ask(sdk(stack, o.secrets.live));
      } finally {
        await stack.close();
      }
    } finally {
      await source.drop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
