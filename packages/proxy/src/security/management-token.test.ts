import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { currentTokenFile, embeddedManagementToken } from "./management-token.js";

describe("the embedded management token", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });

  it("is generated once, owner-only, and read back unchanged on later starts", async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-mt-")), "data");
    dirs.push(path.dirname(dir));
    const first = await embeddedManagementToken(dir);
    expect(first.generated).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fs.stat(first.file)).mode & 0o777).toBe(0o600);
    const again = await embeddedManagementToken(dir);
    expect(again).toEqual({ ...first, generated: false });
  });

  it("is named on the sign-in page only while the file holds the token in use", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "llm-proxy-mt-"));
    dirs.push(dir);
    const t = await embeddedManagementToken(dir);
    const named = currentTokenFile(t.file, t.token);
    expect(await named()).toBeDefined();
    await fs.writeFile(t.file, "another-token\n");
    expect(await named()).toBeUndefined();
    await fs.rm(t.file);
    expect(await named()).toBeUndefined();
  });
});
