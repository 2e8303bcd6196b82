import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBrowser, expectOne, nextDialog, pathOf, screenshot, startUi, type UiStack } from "./browser.js";

describeBrowser("admin UI in Chromium: projects", () => {
  let ui: UiStack;
  let page: Page;
  let projectId: string;
  beforeAll(async () => {
    ui = await startUi();
    page = await ui.signedInPage();
    projectId = await ui.seedProject("E2E Test Project", "sk-test-key");
  });
  afterAll(() => ui?.close());

  it("lists projects in a table with status badges", async () => {
    await page.goto("/projects");
    expect(await page.locator("h1").textContent()).toContain("Projects");
    expect(await page.locator("table").isVisible()).toBe(true);
    expect(await page.locator("table tbody .badge").first().isVisible()).toBe(true);
    await screenshot(page, "projects");
  });

  it("shows a project's details with its name as the heading", async () => {
    await page.goto(`/projects/${projectId}`);
    expect(pathOf(page)).toBe(`/projects/${projectId}`);
    expect(await page.locator("h1").textContent()).toContain("E2E Test Project");
    expect(await page.locator('[data-local-time="true"][data-ts]').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, "project-show");
  });

  it("keeps a project active through the edit form and shows the active state", async () => {
    await page.goto(`/projects/${projectId}/edit`);
    await screenshot(page, "project-edit");
    await page.locator("#is_active").check();
    await Promise.all([page.waitForURL(new RegExp(`/projects/${projectId}$`)), page.click('button:has-text("Update Project")')]);
    await expectOne(page.getByText("Status:"));
    await expectOne(page.locator(".badge.bg-success"));
    expect(await page.locator(".badge.bg-success").textContent()).toContain("Active");
    expect(await page.locator('a.btn.btn-success:has-text("Generate Token")').first().isVisible()).toBe(true);
  });

  it("bulk-revokes a project's tokens from the project page after a confirm", async () => {
    const token = await ui.seedToken(projectId, 60);
    await page.goto(`/projects/${projectId}`);
    const dialog = nextDialog(page);
    await Promise.all([page.waitForURL(`**/projects/${projectId}`, { waitUntil: "load" }), page.click('button:has-text("Revoke All Tokens")')]);
    expect((await dialog).message).toContain("revoke ALL tokens");
    await page.waitForSelector(".alert-success");
    expect(pathOf(page)).toBe(`/projects/${projectId}`);
    expect((await ui.getToken(token.id)).is_active).toBe(false);
  });

  it("deactivates a project with revoke_tokens from the edit form, and re-activates it", async () => {
    const id = await ui.seedProject("Bulk Edit Project");
    const tokens = [await ui.seedToken(id, 60), await ui.seedToken(id, 60)];
    await page.goto(`/projects/${id}/edit`);
    expect(await page.locator("#revoke_tokens").isDisabled()).toBe(true);
    await page.locator("#is_active").uncheck();
    await page.locator("#revoke_tokens").check();
    await Promise.all([page.waitForURL(new RegExp(`/projects/${id}$`)), page.click('button:has-text("Update Project")')]);
    await expectOne(page.locator('.badge:has-text("Inactive")'));
    for (const t of tokens) expect((await ui.getToken(t.id)).is_active).toBe(false);
    expect(await page.locator('a.btn-success.disabled:has-text("Generate Token")').count()).toBe(1);
    await page.goto(`/projects/${id}/edit`);
    await page.locator("#is_active").check();
    await Promise.all([page.waitForURL(new RegExp(`/projects/${id}$`)), page.click('button:has-text("Update Project")')]);
    await expectOne(page.locator(".badge.bg-success"));
  });

  it("validates required fields in the new-project form with HTML5", async () => {
    await page.goto("/projects/new");
    await page.click('button:has-text("Create Project")');
    expect(pathOf(page)).toBe("/projects/new");
    const nameMsg = await page.locator("#name").evaluate((el) => (el as { validationMessage: string }).validationMessage);
    const keyMsg = await page.locator("#api_key").evaluate((el) => (el as { validationMessage: string }).validationMessage);
    expect(nameMsg || keyMsg).toBeTruthy();
    await page.fill("#api_key", "sk-test-key");
    await page.click('button:has-text("Create Project")');
    expect(await page.locator("#name").evaluate((el) => (el as { validationMessage: string }).validationMessage)).toBeTruthy();
  });

  it("creates a project and shows a server-side error for a duplicate name", async () => {
    const name = `New Test Project ${Date.now()}`;
    await page.goto("/projects/new");
    await page.fill("#name", name);
    await page.fill("#api_key", "sk-test-valid-key");
    await page.fill("#monthly_budget_usd", "100");
    await screenshot(page, "project-new");
    await Promise.all([page.waitForURL(/\/projects\/[0-9a-f-]{36}$/), page.click('button:has-text("Create Project")')]);
    expect(await page.locator("h1").textContent()).toContain(name);
    expect(await page.locator("#project-spend").textContent()).toContain("$0.00 of $100.00");
    await page.goto("/projects/new");
    await page.fill("#name", name);
    await page.fill("#api_key", "sk-test-valid-key");
    await Promise.all([page.waitForLoadState("load"), page.click('button:has-text("Create Project")')]);
    await page.waitForSelector(".alert-danger");
    expect(await page.locator(".alert-danger").textContent()).toContain("already exists");
    expect(await page.locator("#name").inputValue()).toBe(name);
  });

  it("edits the name and API key and returns to the show page", async () => {
    await page.goto(`/projects/${projectId}/edit`);
    await page.fill("#name", `Updated Project ${Date.now()}`);
    await page.fill("#api_key", "sk-test-valid-key-updated");
    await Promise.all([page.waitForURL(new RegExp(`/projects/${projectId}$`)), page.click('button:has-text("Update Project")')]);
    expect(await page.locator("h1").textContent()).toContain("Updated Project");
    expect(await page.locator("#api-key").textContent()).toBe("sk-test-...ated");
  });

  it("sets a project's monthly budget, edits and clears it, and gives a token a spend limit and a rate", async () => {
    type Project = { monthly_budget_usd: number | null };
    type Token = { max_spend_usd: number | null; rate_limit_rpm: number | null; max_requests: number | null };
    const project = async (id: string) => (await (await ui.s.manage(`/manage/projects/${id}`)).json()) as Project;
    const update = () => Promise.all([page.waitForURL(/\/projects\/[0-9a-f-]{36}$/), page.click('button:has-text("Update Project")')]);

    await page.goto("/projects/new");
    await page.fill("#name", `Budget Project ${Date.now()}`);
    await page.fill("#api_key", "sk-test-budget-key");
    await page.fill("#monthly_budget_usd", "25.50");
    await Promise.all([page.waitForURL(/\/projects\/[0-9a-f-]{36}$/), page.click('button:has-text("Create Project")')]);
    const id = pathOf(page).split("/").pop() ?? "";
    expect((await project(id)).monthly_budget_usd).toBe(25.5);
    expect(await page.locator("#project-spend").textContent()).toContain("$0.00 of $25.50 this month (UTC) (0%)");

    await page.goto(`/projects/${id}/edit`);
    expect(await page.locator("#monthly_budget_usd").inputValue()).toBe("25.5");
    await page.fill("#monthly_budget_usd", "0.75");
    await update();
    expect((await project(id)).monthly_budget_usd).toBe(0.75);
    expect(await page.locator("#project-spend").textContent()).toContain("of $0.75");

    await page.goto(`/projects/${id}/edit`);
    await page.fill("#monthly_budget_usd", "");
    await update();
    expect((await project(id)).monthly_budget_usd).toBeNull();
    expect(await page.locator("#project-spend").textContent()).toContain("no budget");

    await page.click('a:has-text("Generate Token")');
    await page.waitForURL(`**/tokens/new?project_id=${id}`);
    await page.fill("#max_spend_usd", "2.5");
    await page.fill("#rate_limit_rpm", "30");
    await Promise.all([page.waitForLoadState("load"), page.click('form button[type="submit"]:has-text("Generate Token")')]);
    await page.waitForSelector("#token-value");
    expect(await page.textContent("body")).toContain("$2.50 lifetime");
    const tokens = (await (await ui.s.manage(`/manage/tokens?project_id=${id}`)).json()) as (Token & { id: string })[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ max_spend_usd: 2.5, rate_limit_rpm: 30, max_requests: null });
    const tokenId = tokens[0]?.id ?? "";

    await page.goto(`/tokens/${tokenId}`);
    expect(await page.locator("#token-spend").textContent()).toContain("$0.00 of $2.50 lifetime");
    expect(await page.locator("#token-rate-limit").textContent()).toBe("30 requests per minute");
    await page.goto(`/tokens/${tokenId}/edit`);
    expect([await page.locator("#max_spend_usd").inputValue(), await page.locator("#rate_limit_rpm").inputValue()]).toEqual(["2.5", "30"]);
    await page.fill("#max_spend_usd", "");
    await page.fill("#rate_limit_rpm", "0");
    await Promise.all([page.waitForURL(`**/tokens/${tokenId}`), page.getByRole("button", { name: "Update Token" }).click()]);
    expect(await ui.getToken(tokenId)).toMatchObject({ max_spend_usd: null, rate_limit_rpm: 0 });
    expect(await page.locator("#token-spend").textContent()).toContain("lifetime, no budget");
    expect(await page.locator("#token-rate-limit").textContent()).toBe("No limit");
  });

  it("refuses a negative budget in the browser and shows the server's message for one too large", async () => {
    await page.goto("/projects/new");
    await page.fill("#name", `Bad Budget ${Date.now()}`);
    await page.fill("#api_key", "sk-test-budget-key");
    await page.fill("#monthly_budget_usd", "-5");
    await page.click('button:has-text("Create Project")');
    expect(pathOf(page)).toBe("/projects/new");
    expect(await page.locator("#monthly_budget_usd").evaluate((el) => (el as { validationMessage: string }).validationMessage)).toBeTruthy();
    await page.fill("#monthly_budget_usd", "10000000");
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click('button:has-text("Create Project")')]);
    expect(res.status()).toBe(400);
    await page.waitForSelector(".alert-danger");
    expect(await page.locator(".alert-danger").textContent()).toContain("monthly_budget_usd must be at most 9000000");
    expect(await page.locator("#monthly_budget_usd").inputValue()).toBe("10000000");
  });
});
