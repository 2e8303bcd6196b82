import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, seedToken } from "../gateway-helpers.js";
import { startStack, type Stack } from "../harness.js";
import { adminApp, FormClient } from "./support.js";

/** Text of the page without tags, whitespace folded. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("admin dashboard figures", () => {
  let s: Stack;
  let client: FormClient;

  beforeAll(async () => {
    // An upstream nobody listens on: every request fails before reaching it, as a newcomer's first ones may.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    s = await startStack("embedded", { OPENAI_API_URL: `http://127.0.0.1:${port}`, USAGE_FLUSH_INTERVAL: "100ms", CIRCUIT_BREAKER_THRESHOLD: "0" });
    client = new FormClient(adminApp(s));
    await client.signIn(s.managementToken);
  });
  afterAll(() => s?.close());

  it("never shows fewer requests in total than in the last 24 hours, and an empty chart says what is missing", async () => {
    const t = await seedToken(s);
    for (let i = 0; i < 3; i++) expect((await raw(s, "/v1/models", { token: t.secret })).status).toBe(502);
    await expect
      .poll(async () => ((await (await s.manage("/manage/usage")).json()) as { totals: { requests: number } }).totals.requests, { timeout: 10_000 })
      .toBe(3);

    const page = textOf(await (await client.get("/dashboard")).text());
    expect(page).toMatch(/Requests \(12 months\) 3 3 in the last 24 hours/);
    // There was traffic, just no cache hit: the cache-hits chart must not claim there was none.
    expect(page).toMatch(/Cache hits 0 in total .* No cache hits in the last 24 hours\./);
    expect(page).not.toContain("No traffic");
    expect(page).toMatch(/Errors 3 in total/);
  });
});
