import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDeniedRequest } from "../../audit/record.js";
import { createLogger } from "../../observability/logger.js";
import { createMemoryChangeFeed } from "../../revocation/memory.js";
import { createSecrets } from "../../security/secrets.js";
import { openDatabase, type Database } from "../../storage/db.js";
import { initDataDir } from "../../storage/embedded-init.js";
import { migrateUp } from "../../storage/migrate.js";
import { generateTokenSecret } from "../../tokens/format.js";
import { Access } from "../access.js";
import { authenticate } from "./authenticate.js";
import { exchange } from "./testing.js";

// The real Access over the real (embedded) database: only the HTTP server is left out.
describe("authenticate", () => {
  let dir: string;
  let db: Database;
  let access: Access;
  const secrets = createSecrets(undefined);
  let deps: Parameters<typeof authenticate>[1];

  async function seed(opts: { projectActive?: boolean; tokenActive?: boolean; expiresInMs?: number } = {}) {
    const projectId = randomUUID();
    const secret = generateTokenSecret();
    await db.sql`INSERT INTO projects (id, name, api_key, is_active) VALUES (${projectId}, ${"p-" + projectId}, ${"sk-upstream-key"}, ${opts.projectActive ?? true})`;
    await db.sql`INSERT INTO tokens (id, token, project_id, expires_at, is_active) VALUES (${randomUUID()}, ${secret}, ${projectId}, ${new Date(Date.now() + (opts.expiresInMs ?? 3_600_000))}, ${opts.tokenActive ?? true})`;
    return { projectId, secret };
  }

  const request = (authorization?: string) =>
    exchange({ headers: { "content-type": "application/json", "content-length": "13", ...(authorization ? { authorization } : {}) }, body: '{"model":"x"}' });

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-auth-stage-"));
    await initDataDir(path.join(dir, "db"));
    db = await openDatabase({ kind: "embedded", dataDir: path.join(dir, "db") });
    await migrateUp(db.sql);
    access = new Access(db.sql, secrets, createMemoryChangeFeed(), { tokenTtlMs: 60_000, tokenMax: 100, projectTtlMs: 60_000, projectMax: 100 });
    deps = {
      access,
      enforceProjectActive: true,
      auditDenied: (row) => writeDeniedRequest(db.sql, row),
      clientIp: () => "203.0.113.7",
      logger: createLogger({ level: "silent", format: "json" }),
    };
  });
  afterAll(async () => {
    access?.close();
    await db?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("refuses a missing, malformed or unknown bearer with the original's 401 codes, reading no body", async () => {
    for (const [auth, code] of [[undefined, "invalid_token"], ["Basic abc", "invalid_token"], ["Bearer not-a-token", "invalid_token"], [`Bearer ${generateTokenSecret()}`, "token_not_found"]] as const) {
      const { x } = request(auth);
      expect(await authenticate(x, deps), String(auth)).toMatchObject({ code, headers: { "x-should-retry": "false" } });
      expect(x.req.readableLength, "the body stays unread").toBe(13);
      expect(x.token).toBeUndefined();
    }
  });

  it("refuses inactive and expired tokens", async () => {
    const inactive = await seed({ tokenActive: false });
    expect(await authenticate(request(`Bearer ${inactive.secret}`).x, deps)).toMatchObject({ code: "token_inactive" });
    const expired = await seed({ expiresInMs: -1000 });
    expect(await authenticate(request(`Bearer ${expired.secret}`).x, deps)).toMatchObject({ code: "token_expired" });
  });

  it("refuses a token of an inactive project with 403 and writes the denied-request audit row", async () => {
    const t = await seed({ projectActive: false });
    const { x } = request(`bearer ${t.secret}`);
    expect(await authenticate(x, deps)).toMatchObject({ code: "project_inactive" });
    const [row] = await db.sql`SELECT action, actor, outcome, reason, project_id, client_ip FROM audit_events WHERE request_id = ${x.requestId}`;
    expect(row).toEqual({ action: "proxy_request", actor: "system", outcome: "denied", reason: "project_inactive", project_id: t.projectId, client_ip: "203.0.113.7" });
  });

  it("loads a project once for the requests that find it uncached together", async () => {
    const t = await seed();
    const [a, b] = [access.project(t.projectId), access.project(t.projectId)];
    expect(a).toBeInstanceOf(Promise);
    expect(b).toBe(a);
    expect(await a).toMatchObject({ isActive: true, apiKey: "sk-upstream-key" });
  });

  it("admits a valid token with its project's key, synchronously once both are cached", async () => {
    const t = await seed();
    const first = request(`Bearer ${t.secret}`).x;
    expect(await authenticate(first, deps)).toBe("continue");
    expect(first.token).toMatchObject({ projectId: t.projectId, limited: false });
    expect(first.project?.apiKey).toBe("sk-upstream-key");
    const again = request(`Bearer ${t.secret}`).x;
    const outcome = authenticate(again, deps);
    expect(outcome).toBe("continue");
    expect(again.project?.apiKey).toBe("sk-upstream-key");
  });
});
