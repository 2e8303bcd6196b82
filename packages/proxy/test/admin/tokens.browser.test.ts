import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { describeBrowser, expectOne, nextDialog, pathOf, screenshot, startUi, type UiStack } from "./browser.js";

describeBrowser("admin UI in Chromium: tokens and revocation", () => {
  let ui: UiStack;
  let page: Page;
  let projectId: string;
  let tokenId: string;
  let tokenValue: string;
  beforeAll(async () => {
    ui = await startUi();
    page = await ui.signedInPage();
    projectId = await ui.seedProject("Token Test Project", "sk-test-key");
  });
  beforeEach(async () => {
    ({ id: tokenId, token: tokenValue } = await ui.seedToken(projectId, 120));
  });
  afterAll(() => ui?.close());

  const row = () => page.locator("table tbody tr", { has: page.locator(`a[href="/tokens/${tokenId}/edit"]`) });

  it("lists tokens without the raw token value, with status badges", async () => {
    await page.goto("/tokens");
    expect(await page.locator("h1").textContent()).toContain("Tokens");
    expect(await page.textContent("body")).not.toContain(tokenValue);
    expect(await page.locator("table tbody tr").first().locator(".badge").first().isVisible()).toBe(true);
    expect(await page.locator("table tbody .badge").first().getAttribute("class")).toMatch(/badge\s+(bg-success|bg-danger|bg-warning|bg-secondary)/);
    expect(await page.locator('[data-local-time="true"][data-ts]').first().getAttribute("data-format")).toMatch(/^(ymd_hm|ymd_hms|ymd_hms_tz|long|date_only)$/);
    await screenshot(page, "tokens");
  });

  it("generates a token, shows it once with usage snippets, then never again", async () => {
    await page.goto(`/tokens/new?project_id=${projectId}`);
    expect(await page.locator("h1").textContent()).toContain("Generate Token");
    expect(await page.locator("#duration_minutes").inputValue()).toBe("15");
    expect(await page.locator("#project_id").inputValue()).toBe(projectId);
    await page.selectOption("#duration_minutes", "60");
    await page.fill("#max_requests", "25");
    await page.fill("#max_spend_usd", "5");
    await page.fill("#rate_limit_rpm", "60");
    await screenshot(page, "token-new");
    await Promise.all([page.waitForLoadState("load"), page.click('form button[type="submit"]:has-text("Generate Token")')]);
    await page.waitForSelector("#token-value");
    const secret = (await page.locator("#token-value").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
    const snippets = await page.locator("pre code").allTextContents();
    expect(snippets).toHaveLength(3);
    for (const s of snippets) expect(s).toContain(secret);
    expect(snippets.join("\n")).toContain(`${ui.s.apiUrl}/v1`);
    expect(await page.textContent("body")).toContain("25 requests");
    expect(await page.textContent("body")).toContain("$5.00 lifetime");
    expect(await page.textContent("body")).toContain("60 requests per minute");
    await screenshot(page, "token-created");
    await page.goto("/tokens");
    expect(await page.textContent("body")).not.toContain(secret);
  });

  it("opens the edit page from the list", async () => {
    await page.goto("/tokens");
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}/edit`), page.click(`a[href="/tokens/${tokenId}/edit"]`)]);
    expect(await page.locator("h1").textContent()).toContain("Edit Token");
    const expires = page.locator("#expires_at");
    expect(await expires.inputValue()).toContain("UTC");
    expect(await expires.getAttribute("data-local-time")).toBeNull();
    await screenshot(page, "token-edit");
  });

  it("sets max_requests, clears it to unlimited (∞), and deactivates via the edit form", async () => {
    await page.goto(`/tokens/${tokenId}/edit`);
    await page.fill("#max_requests", "10");
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}`), page.getByRole("button", { name: "Update Token" }).click()]);
    expect((await ui.getToken(tokenId)).max_requests).toBe(10);
    await page.goto(`/tokens/${tokenId}/edit`);
    await page.fill("#max_requests", "");
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}`), page.getByRole("button", { name: "Update Token" }).click()]);
    expect((await ui.getToken(tokenId)).max_requests ?? null).toBeNull();
    await page.goto("/tokens");
    expect(await row().textContent()).toContain("∞");
    await page.goto(`/tokens/${tokenId}/edit`);
    await page.fill("#max_requests", "100");
    await page.uncheck("#is_active");
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}`), page.getByRole("button", { name: "Update Token" }).click()]);
    expect(await ui.getToken(tokenId)).toMatchObject({ is_active: false, max_requests: 100 });
  });

  it("shows token details with labels, timestamps and a danger revoke button", async () => {
    await page.goto(`/tokens/${tokenId}`);
    expect(await page.locator("h1").textContent()).toContain("Token Details");
    const details = page.locator(".card-body").first();
    for (const label of ["Token ID", "Project", "Status"]) await expectOne(details.getByText(label, { exact: true }));
    await expectOne(page.locator('.badge:has-text("Active")'));
    const stamps = await page.locator('[data-local-time="true"][data-ts]').all();
    expect(stamps.length).toBeGreaterThanOrEqual(2);
    for (const el of stamps) {
      const ts = await el.getAttribute("data-ts");
      expect(ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
      expect(await el.getAttribute("title")).toBe(ts);
    }
    const revoke = page.locator('button:has-text("Revoke Token")');
    await expectOne(revoke);
    expect(await revoke.getAttribute("class")).toMatch(/btn-danger|btn-outline-danger/);
    await screenshot(page, "token-show");
  });

  it("revokes from the list after a confirm naming the token", async () => {
    await page.goto("/tokens");
    const button = page.locator(`button[onclick*="${tokenId}"]`);
    await expectOne(button);
    const dialog = nextDialog(page);
    await Promise.all([page.waitForURL(/\/tokens(\/.*)?$/, { waitUntil: "load" }), button.click()]);
    const d = await dialog;
    expect([d.type, d.message.includes("revoke token")]).toEqual(["confirm", true]);
    await page.waitForSelector(".alert-success");
    expect((await ui.getToken(tokenId)).is_active).toBe(false);
    expect(await row().locator(".badge").textContent()).toContain("Inactive");
  });

  it("keeps the token active when the confirm is dismissed", async () => {
    await page.goto("/tokens");
    const dialog = nextDialog(page, false);
    await page.locator(`button[onclick*="${tokenId}"]`).click();
    expect((await dialog).message).toContain("revoke token");
    expect(pathOf(page)).toBe("/tokens");
    expect((await ui.getToken(tokenId)).is_active).toBe(true);
  });

  it("revokes from the edit page's danger zone", async () => {
    await page.goto(`/tokens/${tokenId}/edit`);
    const dialog = nextDialog(page);
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}`), page.click('button[type="submit"]:has-text("Revoke Token")')]);
    expect((await dialog).message).toContain("revoke this token");
    expect((await ui.getToken(tokenId)).is_active).toBe(false);
  });

  it("revokes from the show page, and shows Inactive after an API revoke", async () => {
    await page.goto(`/tokens/${tokenId}`);
    const dialog = nextDialog(page);
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}`, { waitUntil: "load" }), page.click('button:has-text("Revoke Token")')]);
    expect((await dialog).message).toContain("revoke token");
    await expectOne(page.locator('.badge:has-text("Revoked"), .badge:has-text("Inactive")'));
    const other = await ui.seedToken(projectId, 60);
    await page.goto(`/tokens/${other.id}`);
    await expectOne(page.locator('.badge:has-text("Active")'));
    await ui.s.manage(`/manage/tokens/${other.id}`, { method: "DELETE" });
    await page.reload();
    await expectOne(page.locator('.badge:has-text("Revoked"), .badge:has-text("Inactive")'));
  });

  it("reactivates from the list and keeps the token's max_requests", async () => {
    const limited = await ui.seedToken(projectId, 60, 7);
    await ui.s.manage(`/manage/tokens/${limited.id}`, { method: "DELETE" });
    await page.goto("/tokens");
    const reactivate = page.locator(`form[action="/tokens/${limited.id}/reactivate"] button`);
    await Promise.all([page.waitForURL("**/tokens", { waitUntil: "load" }), reactivate.click()]);
    await page.waitForSelector(".alert-success");
    expect(await ui.getToken(limited.id)).toMatchObject({ is_active: true, max_requests: 7 });
  });
});
