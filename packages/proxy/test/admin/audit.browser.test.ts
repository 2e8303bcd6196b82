import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addUsage } from "../../src/usage/store.js";
import { describeBrowser, expectOne, nextDialog, pathOf, screenshot, startUi, type UiStack } from "./browser.js";

describeBrowser("admin UI in Chromium: audit, dashboard, timestamps, workflows", () => {
  let ui: UiStack;
  let page: Page;
  let projectId: string;
  let tokenId: string;
  beforeAll(async () => {
    ui = await startUi();
    page = await ui.newPage();
    // Before anything is seeded: the empty state (the API's own audit rows land only after this).
    await page.goto("/auth/login");
    projectId = await ui.seedProject("Audit Test Project", "sk-audit-test-key");
    ({ id: tokenId } = await ui.seedToken(projectId, 30));
    const { signIn } = await import("./browser.js");
    await signIn(page, ui.s.managementToken);
  });
  afterAll(() => ui?.close());

  const revoke = (id: string) => ui.s.manage(`/manage/tokens/${id}`, { method: "DELETE" });

  it("shows the empty state for a search without matches", async () => {
    await page.goto("/audit?search=no-such-event-anywhere");
    const empty = page.locator(".text-center.py-5");
    await expectOne(empty.locator("i.bi-shield-x"));
    expect(await empty.textContent()).toContain("No Audit Events Found");
  });

  it("lists audit events with the search form, headers, badges and detail links", async () => {
    await revoke(tokenId);
    await page.goto("/audit");
    expect(await page.locator("h1").textContent()).toContain("Audit Events");
    await expectOne(page.locator("h1 i.bi-shield-check"));
    const search = page.locator('input[name="search"]');
    expect(await search.getAttribute("placeholder")).toMatch(/Search events/);
    await expectOne(page.locator('button[type="submit"]:has(i.bi-search)'));
    expect(await page.locator("table.table-hover").isVisible()).toBe(true);
    for (const h of ["Time", "Action", "Actor", "Outcome", "IP Address", "Actions"]) {
      await expectOne(page.locator("thead th").filter({ hasText: new RegExp(`^${h}$`) }));
    }
    const first = page.locator("table tbody tr").first();
    expect(await first.locator("td").nth(0).textContent()).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(await first.locator(".badge").first().isVisible()).toBe(true);
    await expectOne(first.locator('a[href^="/audit/"]'));
    const outcome = page.locator("table tbody tr td").nth(3).locator(".badge").first();
    expect(await outcome.getAttribute("class")).toMatch(/badge\s+bg-(success|danger|warning)/);
    await screenshot(page, "audit");
  });

  it("shows an event's details in sections", async () => {
    await page.goto("/audit?search=revoke");
    const row = page.locator("table tbody tr").filter({ hasText: /revoke/i }).first();
    await Promise.all([page.waitForURL(/\/audit\/[a-f0-9-]+$/i), row.locator('a[href^="/audit/"]').click()]);
    expect(await page.locator("h1").textContent()).toContain("Audit Event Details");
    await expectOne(page.getByRole("link", { name: /Back to List/i }));
    expect(await page.locator("h5.card-title").textContent()).toMatch(/Event #[a-f0-9-]+/i);
    const basic = page.locator(".col-md-6").first().locator("table");
    expect(await basic.locator('td:has-text("Timestamp:")').locator("xpath=following-sibling::td").isVisible()).toBe(true);
    await expectOne(basic.locator('td:has-text("Action:")').locator("xpath=following-sibling::td").locator(".badge"));
    await expectOne(basic.locator('td:has-text("Outcome:")').locator("xpath=following-sibling::td").locator(".badge"));
    const network = page.locator(".col-md-6").nth(1).locator("table");
    await expectOne(network.locator('td:has-text("IP Address:")').locator("xpath=following-sibling::td").locator("code"));
    const ids = page.locator('h6.text-muted:has-text("Identifiers")').locator('xpath=ancestor::div[contains(@class, "row")]');
    expect(await ids.locator("table").first().isVisible()).toBe(true);
    await screenshot(page, "audit-show");
  });

  it("searches, clears, and keeps the search across rel=next/prev pages", async () => {
    for (let i = 0; i < 21; i++) await revoke((await ui.seedToken(projectId, 30)).id);
    await page.goto("/audit");
    await page.fill('input[name="search"]', "revoke");
    await Promise.all([page.waitForURL(/[?&]search=revoke/), page.click('button[type="submit"]:has(i.bi-search)')]);
    expect(await page.locator('input[name="search"]').inputValue()).toBe("revoke");
    expect(await page.locator("table tbody tr").first().textContent()).toMatch(/revoke/i);
    await Promise.all([page.waitForURL(/[?&]page=2/), page.locator('.pagination a[rel="next"]').click()]);
    expect(page.url()).toMatch(/[?&]search=revoke/);
    expect(await page.locator('input[name="search"]').inputValue()).toBe("revoke");
    await Promise.all([page.waitForURL((u) => !u.search.includes("page=2")), page.locator('.pagination a[rel="prev"]').click()]);
    expect(pathOf(page)).toBe("/audit?search=revoke");
    const clear = page.locator("a.btn:has(i.bi-x-circle)");
    expect(await clear.textContent()).toContain("Clear");
    await Promise.all([page.waitForURL((u) => u.pathname === "/audit" && u.search === ""), clear.click()]);
    expect(await page.locator('input[name="search"]').inputValue()).toBe("");
    await page.fill('input[name="search"]', projectId);
    await Promise.all([page.waitForURL(new RegExp(`[?&]search=${projectId}`)), page.click('button[type="submit"]:has(i.bi-search)')]);
  });

  it("bulk revoke from the UI leaves an audit event with the project id and details", async () => {
    const extra = [await ui.seedToken(projectId, 30), await ui.seedToken(projectId, 30)];
    await page.goto(`/projects/${projectId}`);
    const dialog = nextDialog(page);
    await Promise.all([page.waitForURL(`**/projects/${projectId}`, { waitUntil: "load" }), page.click('button:has-text("Revoke All Tokens")')]);
    expect((await dialog).message).toContain("revoke ALL tokens");
    for (const t of extra) expect((await ui.getToken(t.id)).is_active).toBe(false);
    await page.goto("/audit?action=token.revoke_batch");
    await Promise.all([page.waitForURL(/\/audit\/[a-f0-9-]+$/i), page.locator('table tbody tr a[href^="/audit/"]').first().click()]);
    const ids = page.locator('h6.text-muted:has-text("Identifiers")').locator('xpath=ancestor::div[contains(@class, "row")]');
    expect(await ids.locator("table").first().locator("tr").filter({ hasText: "Project ID" }).locator("code").textContent()).toContain(projectId);
    const meta = page.locator('h6.text-muted:has-text("Additional Details")').locator('xpath=ancestor::div[contains(@class, "row")]');
    const details = JSON.parse((await meta.locator("pre code").first().textContent()) ?? "{}") as Record<string, unknown>;
    expect(details).toMatchObject({ revoked_count: 2, origin: "admin-ui" });
    expect(String(details.user_agent)).toMatch(/Chrome/);
  });

  it("shows a project deactivated through the API as Inactive, and its audit rows", async () => {
    const id = await ui.seedProject("Workflow Test Project");
    await page.goto(`/projects/${id}`);
    await expectOne(page.locator('.badge:has-text("Active")'));
    await ui.s.manage(`/manage/projects/${id}`, { method: "PATCH", json: { is_active: false } });
    await page.goto(`/projects/${id}`);
    await expectOne(page.locator('.badge:has-text("Inactive")'));
    await page.goto(`/audit?project_id=${id}`);
    const before = await page.locator("table tbody tr").count();
    expect(await page.locator("table tbody tr").filter({ hasText: "project.update" }).count()).toBe(1);
    await ui.s.manage(`/manage/projects/${id}`, { method: "PATCH", json: { name: `Renamed ${Date.now()}` } });
    await page.reload();
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(before);
  });

  it("draws per-project usage charts on the dashboard for 24 h and 7 d", async () => {
    const hour = 3_600_000;
    const now = Math.floor(Date.now() / hour) * hour;
    const other = await ui.seedProject("Chart Project B");
    await addUsage(ui.s.domain.sql, [
      { project_id: projectId, model: "gpt-4o-mini", hour: new Date(now - 2 * hour), requests: 40, errors: 3, cache_hits: 5, prompt_tokens: 1000, completion_tokens: 500, cost_nanos: 2_500_000_000 },
      { project_id: projectId, model: "gpt-4o", hour: new Date(now), requests: 10, errors: 0, cache_hits: 1, prompt_tokens: 200, completion_tokens: 100, cost_nanos: 1_250_000_000 },
      { project_id: other, model: "gpt-4o-mini", hour: new Date(now - 5 * hour), requests: 25, errors: 1, cache_hits: 0, prompt_tokens: 300, completion_tokens: 300, cost_nanos: 400_000_000 },
      { project_id: other, model: "gpt-4o-mini", hour: new Date(now - 3 * 24 * hour), requests: 100, errors: 0, cache_hits: 9, prompt_tokens: 0, completion_tokens: 0, cost_nanos: 0 },
    ]);
    await page.goto("/dashboard");
    const requests = page.locator("figure", { has: page.locator("#chart-requests-title") });
    expect(await requests.locator("svg.usage-chart rect").count()).toBe(3);
    expect(await requests.locator("svg.usage-chart rect title").allTextContents()).toContainEqual(expect.stringMatching(/^Audit Test Project .*: 40 \(\d\d:00 UTC\)$/));
    expect(await requests.textContent()).toContain("75 in total");
    expect(await page.locator("figure", { has: page.locator("#chart-tokens-title") }).textContent()).toContain("2,400 in total");
    expect(await page.locator("figure", { has: page.locator("#chart-errors-title") }).textContent()).toContain("4 in total");
    expect(await page.locator("figure", { has: page.locator("#chart-cache-hits-title") }).textContent()).toContain("6 in total");
    const spend = page.locator("figure", { has: page.locator("#chart-spend-title") });
    expect(await spend.textContent()).toContain("$4.15 in total");
    expect(await spend.locator("svg.usage-chart rect title").allTextContents()).toContainEqual(expect.stringMatching(/^Audit Test Project .*: \$2\.50 \(\d\d:00 UTC\)$/));
    expect(await page.textContent("body")).toContain("75 in the last 24 hours");
    expect(await page.textContent("body")).toContain("in-process");
    const serverTime = page.locator('#server-time[data-local-time="true"]');
    expect(await serverTime.getAttribute("title")).toBe(await serverTime.getAttribute("data-ts"));
    await screenshot(page, "dashboard");
    await page.click('a:has-text("Last 7 days")');
    await page.waitForURL("**/dashboard?range=7d");
    expect(await requests.textContent()).toContain("175 in total");
    await screenshot(page, "dashboard-7d");

    // The project's page: this month's spend against its budget (rows of an earlier month excluded).
    await ui.s.manage(`/manage/projects/${projectId}`, { method: "PATCH", json: { monthly_budget_usd: 5 } });
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
    const thisMonth = (now >= monthStart ? 1.25 : 0) + (now - 2 * hour >= monthStart ? 2.5 : 0);
    await page.goto(`/projects/${projectId}`);
    const meter = page.locator("#project-spend");
    expect(await meter.textContent()).toContain(`$${thisMonth.toFixed(2)} of $5.00`);
    expect(await meter.locator(".progress-bar").getAttribute("style")).toBe(`width: ${(thisMonth / 5) * 100}%`);
    const { id: tokenId } = await ui.seedToken(projectId, 60);
    await ui.s.manage(`/manage/tokens/${tokenId}`, { method: "PATCH", json: { max_spend_usd: 1 } });
    await page.goto(`/tokens/${tokenId}`);
    expect(await page.locator("#token-spend").textContent()).toContain("$0.00 of $1.00 lifetime (0%)");
    await screenshot(page, "token-spend");
  });

  it("localises timestamps: long format, UTC titles, and two time zones showing different times", async () => {
    const { id } = await ui.seedToken(await ui.seedProject("TZ Test Project"), 120);
    const read = async (timezoneId: string) => {
      const p = await ui.signedInPage({ timezoneId });
      await p.goto(`/tokens/${id}`);
      const el = p.locator('[data-local-time="true"][data-ts]').first();
      const out = { ts: await el.getAttribute("data-ts"), title: await el.getAttribute("title"), text: (await el.textContent()) ?? "" };
      const long = (await p.locator('[data-format="long"]').first().textContent()) ?? "";
      await p.context().close();
      return { ...out, long };
    };
    const la = await read("America/Los_Angeles");
    const tokyo = await read("Asia/Tokyo");
    const utc = await read("UTC");
    expect(la.ts).toBe(tokyo.ts);
    expect(la.title).toBe(la.ts);
    expect(tokyo.title).toBe(tokyo.ts);
    const hm = (t: string) => /\b\d{1,2}:\d{2}\b/.exec(t)?.[0];
    expect(hm(la.text)).toBeTruthy();
    expect(hm(la.text)).not.toBe(hm(tokyo.text));
    expect(la.text).toMatch(/202\d/);
    expect(la.long).toContain(" at ");
    expect(la.long).toMatch(/\b(AM|PM)\b/);
    const d = new Date(utc.ts ?? "");
    const h12 = d.getUTCHours() % 12 || 12;
    expect(utc.text).toContain(`${h12}:${String(d.getUTCMinutes()).padStart(2, "0")} ${d.getUTCHours() >= 12 ? "PM" : "AM"}`);
    expect(utc.text).not.toContain("UTC");
  });

  it("carries data-local-time with UTC titles on the project list and show pages", async () => {
    await page.goto("/projects");
    const first = page.locator('[data-local-time="true"][data-ts]').first();
    expect(await first.getAttribute("title")).toBe(await first.getAttribute("data-ts"));
    await page.goto(`/projects/${projectId}`);
    expect(await page.locator('[data-local-time="true"][data-ts]').count()).toBeGreaterThanOrEqual(2);
  });
});
