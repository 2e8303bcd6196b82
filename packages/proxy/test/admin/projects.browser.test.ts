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
    await screenshot(page, "project-new");
    await Promise.all([page.waitForURL(/\/projects\/[0-9a-f-]{36}$/), page.click('button:has-text("Create Project")')]);
    expect(await page.locator("h1").textContent()).toContain(name);
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
});
