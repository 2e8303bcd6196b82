import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBrowser, expectOne, pathOf, screenshot, signIn, startUi, type UiStack } from "./browser.js";
import { adminApp, serveAdmin } from "./support.js";

describeBrowser("admin UI in Chromium: sign-in, sign-out, XSS, CSRF, standalone mode", () => {
  let ui: UiStack;
  let standalone: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    ui = await startUi();
    // A second admin app on the same stack, talking to /manage over HTTP like `llm-proxy admin`.
    standalone = await serveAdmin(adminApp(ui.s, "http"));
  });
  afterAll(async () => {
    await standalone?.close();
    await ui?.close();
  });

  it("signs in with the management token and shows the dashboard with cache-busted assets", async () => {
    const page = await ui.newPage();
    // The icon font comes from this server (no CDN) and actually loads.
    const font = page.waitForResponse((r) => r.url().includes("/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2") && r.status() === 200);
    await page.goto("/auth/login");
    await font;
    expect(await page.title()).toMatch(/Sign In/);
    await expectOne(page.locator('button:has-text("Sign In")'));
    await screenshot(page, "login");
    await page.fill("#management_token", ui.s.managementToken);
    await Promise.all([page.waitForURL("**/dashboard"), page.click('button[type="submit"]')]);
    expect(pathOf(page)).toBe("/dashboard");
    expect(await page.locator("h1").textContent()).toContain("Dashboard");
    const css = page.locator('link[rel="stylesheet"][href^="/static/css/admin.css?v="]');
    expect(await css.count()).toBe(1);
    expect(await css.getAttribute("href")).toMatch(/\/static\/css\/admin\.css\?v=\d+$/);
    const js = page.locator('script[src^="/static/js/admin.js?v="]');
    expect(await js.count()).toBe(1);
    expect(await js.getAttribute("src")).toMatch(/\/static\/js\/admin\.js\?v=\d+$/);
    await expectOne(page.locator("nav"));
    await expectOne(page.locator('nav a[href="/projects"]'));
    await expectOne(page.locator('nav a[href="/tokens"]'));
  });

  it("stays on /auth/login with an error for an invalid token", async () => {
    const page = await ui.newPage();
    await page.goto("/auth/login");
    await page.fill("#management_token", "invalid-token");
    await Promise.all([page.waitForLoadState("load"), page.click('button[type="submit"]')]);
    await page.waitForSelector(".alert-danger");
    expect(pathOf(page)).toBe("/auth/login");
    await expectOne(page.locator(".alert-danger, .error"));
  });

  it("requires the token before submitting", async () => {
    const page = await ui.newPage();
    await page.goto("/auth/login");
    await page.click('button[type="submit"]');
    expect(page.url()).toContain("/auth/login");
    expect(await page.locator("#management_token").evaluate((el) => (el as { validationMessage: string }).validationMessage)).not.toBe("");
  });

  it("signs out through /auth/logout and through the navbar button", async () => {
    const page = await ui.signedInPage();
    await page.goto("/auth/logout");
    await page.waitForURL("**/auth/login");
    await signIn(page, ui.s.managementToken);
    await Promise.all([page.waitForURL("**/auth/login"), page.click('nav button:has-text("Sign out")')]);
    await page.goto("/dashboard");
    expect(pathOf(page)).toBe("/auth/login");
  });

  it("redirects protected pages to /auth/login when signed out", async () => {
    const page = await ui.newPage();
    for (const p of ["/dashboard", "/projects", "/tokens", "/audit"]) {
      await page.goto(p);
      expect(pathOf(page)).toBe("/auth/login");
    }
  });

  it("renders a <script> project name as text on every screen", async () => {
    const name = "<script>alert(1)</script>";
    const res = await ui.s.manage("/manage/projects", { json: { name, api_key: "sk-xss-key-0123456789abcdef" } });
    const { id } = (await res.json()) as { id: string };
    const page = await ui.signedInPage();
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    for (const p of [`/projects/${id}`, "/projects", `/projects/${id}/edit`, "/tokens/new", "/dashboard"]) {
      await page.goto(p);
    }
    await page.goto(`/projects/${id}`);
    expect(await page.locator("h1").textContent()).toContain(name);
    expect(dialogs).toBe(0);
  });

  it("rejects a forged POST without the CSRF token with 403", async () => {
    const page = await ui.signedInPage();
    await page.goto("/projects");
    const status = await page.evaluate(async () => {
      const body = new URLSearchParams({ name: "forged", api_key: "sk-forged-0123456789" });
      const res = await fetch("/projects", { method: "POST", body, redirect: "manual" });
      return res.status;
    });
    expect(status).toBe(403);
    // The same page's real form (with its token) still works.
    await page.goto("/projects/new");
    await page.fill("#name", `csrf ok ${Date.now()}`);
    await page.fill("#api_key", "sk-real-form-0123456789");
    await Promise.all([page.waitForURL(/\/projects\/[0-9a-f-]{36}$/), page.click('button:has-text("Create Project")')]);
  });

  it("works over the management API (standalone mode): signs in, lists projects and tokens, and the API's audit shows the browser", async () => {
    const projectId = await ui.seedProject("Standalone Project");
    await ui.seedToken(projectId, 60);
    const page = await ui.newPage({ baseURL: standalone.url });
    await signIn(page, ui.s.managementToken);
    await page.goto("/projects");
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);
    await page.goto(`/tokens?project_id=${projectId}`);
    expect(await page.locator("table tbody tr").count()).toBe(1);
    const res = await ui.s.manage(`/manage/audit?action=token.list&project_id=${projectId}`);
    const { events } = (await res.json()) as { events: { actor: string; user_agent?: string; metadata?: string }[] };
    expect(events[0]?.user_agent).toMatch(/Chrome/);
    expect(events[0]?.actor).toBe("management_api");
    expect(JSON.parse(events[0]?.metadata ?? "{}")).toMatchObject({ origin: "admin-ui" });
  });
});
