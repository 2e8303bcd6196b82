import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditAggregator } from "../../src/audit/aggregate.js";
import { openDatabase, type Database } from "../../src/storage/db.js";
import { migrateUp } from "../../src/storage/migrate.js";

describe("aggregated audit rows", () => {
  let dir = "";
  let db: Database;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-aggregate-"));
    db = await openDatabase({ kind: "embedded", dataDir: dir });
    await migrateUp(db.sql);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const rows = () =>
    db.sql<{ client_ip: string; reason: string; metadata: { count: number } }[]>`
      SELECT client_ip, reason, metadata FROM audit_events WHERE action = 'test.denied' ORDER BY "timestamp", client_ip, reason`;

  it("writes one row per client, reason and window, and every count by close()", async () => {
    const agg = auditAggregator(db.sql, { windowMs: 60_000, flushMs: 3_600_000 });
    const entry = (reason: string) => ({ action: "test.denied", outcome: "denied" as const, reason, note: { details: {} } });
    const t0 = Date.now();
    for (let i = 0; i < 500; i++) agg.record({ actor: "management_api", clientIp: "198.51.100.1" }, entry("bad token"), t0 + i);
    for (let i = 0; i < 3; i++) agg.record({ actor: "management_api", clientIp: "198.51.100.2" }, entry("bad token"), t0 + i);
    agg.record({ actor: "management_api", clientIp: "198.51.100.1" }, entry("throttled"), t0);
    // The next window opens a new row; the closing one keeps its final count.
    for (let i = 0; i < 7; i++) agg.record({ actor: "management_api", clientIp: "198.51.100.1" }, entry("bad token"), t0 + 60_000 + i);
    await agg.close();
    expect((await rows()).map((r) => [r.client_ip, r.reason, r.metadata.count])).toEqual(
      expect.arrayContaining([
        ["198.51.100.1", "bad token", 500],
        ["198.51.100.2", "bad token", 3],
        ["198.51.100.1", "throttled", 1],
        ["198.51.100.1", "bad token", 7],
      ]),
    );
    expect(await rows()).toHaveLength(4);
  });
});
