import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/storage/embedded.js";
import { ensureTemplate, initDataDir } from "../src/storage/embedded-init.js";

const root = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-embedded-"));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const rssMb = () => process.memoryUsage().rss / 1048576;

/** Starts the embedded database on `dir`, runs a query, stops it. */
async function expectOpens(dir: string): Promise<void> {
  const pg = await startEmbeddedPostgres(dir);
  try {
    const sql = postgres({ host: pg.host, port: pg.port, database: "postgres", username: "postgres", max: 1, onnotice: () => {} });
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    await sql.end();
  } finally {
    await pg.stop();
  }
}

describe("embedded PGlite", () => {
  it("initialises a fresh data directory from a template made once in a child process, leaving this process's memory alone", async () => {
    const template = path.join(root, "cache", "pgdata");
    const dir = path.join(root, "fresh", "db");
    const before = rssMb();
    await initDataDir(dir, template);
    // initdb inside this process costs several hundred MB; a child that exits costs none of it.
    expect(rssMb() - before).toBeLessThan(100);
    expect(await fs.readFile(path.join(dir, "PG_VERSION"), "utf8")).toMatch(/^\d+/);
    expect(await fs.readdir(path.dirname(dir))).toEqual(["db"]);
    expect(await fs.readdir(path.dirname(template))).toEqual(["pgdata"]);

    // The next fresh directory is a copy: the template is not made again, and the copy opens.
    const marker = path.join(template, "made-once");
    await fs.writeFile(marker, "");
    const second = path.join(root, "fresh", "db2");
    await initDataDir(second, template);
    expect((await fs.readdir(second)).sort()).toEqual((await fs.readdir(template)).sort());
    await fs.rm(path.join(second, "made-once"));
    await expectOpens(second);
  });

  it("makes the template once when two processes race for it, and works without one where it cannot be written", async () => {
    const template = path.join(root, "race", "pgdata");
    const made = await Promise.all([ensureTemplate(template), ensureTemplate(template)]);
    expect(made).toEqual([template, template]);
    expect(await fs.readdir(path.dirname(template))).toEqual(["pgdata"]);

    // A folder that cannot be made (here: below a file, as even root cannot) means no template.
    const blocked = path.join(root, "a-file");
    await fs.writeFile(blocked, "");
    const unwritable = path.join(blocked, "cache", "pgdata");
    expect(await ensureTemplate(unwritable)).toBeUndefined();
    const dir = path.join(root, "no-template", "db");
    await initDataDir(dir, unwritable);
    expect(await fs.readFile(path.join(dir, "PG_VERSION"), "utf8")).toMatch(/^\d+/);
  });

  it("discards what a first start killed during initdb left behind, and starts", async () => {
    const dir = path.join(root, "interrupted", "db");
    const leftover = path.join(root, "interrupted", "db.init-999999");
    await fs.mkdir(leftover, { recursive: true });
    await fs.writeFile(path.join(leftover, "PG_VERSION"), "17\n");
    await fs.mkdir(dir);
    await expectOpens(dir);
    expect((await fs.readdir(path.dirname(dir))).sort()).toEqual(["db"]);
  });

  it("runs with small memory settings and keeps initdb's locale, time zone and text search defaults, across restarts", async () => {
    const dir = path.join(root, "settings", "db");
    for (let start = 0; start < 2; start++) {
      const pg = await startEmbeddedPostgres(dir);
      const sql = postgres({ host: pg.host, port: pg.port, database: "postgres", username: "postgres", max: 1, onnotice: () => {} });
      try {
        const rows = await sql<{ name: string; setting: string }[]>`
          select name, current_setting(name) as setting from unnest(${["shared_buffers", "work_mem", "TimeZone", "DateStyle", "lc_messages", "default_text_search_config"]}::text[]) as name`;
        expect(Object.fromEntries(rows.map((r) => [r.name, r.setting]))).toEqual({
          shared_buffers: "8MB",
          work_mem: "1MB",
          TimeZone: "UTC",
          DateStyle: "ISO, MDY",
          lc_messages: "C",
          default_text_search_config: "pg_catalog.english",
        });
        if (start === 0) await sql`create table kept (n int); insert into kept values (42)`.simple();
        else expect(await sql`select n from kept`).toEqual([{ n: 42 }]);
      } finally {
        await sql.end();
        await pg.stop();
      }
    }
  });
});
