import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from "playwright-core";
import { describe, expect } from "vitest";
import { startStack, type Stack } from "../harness.js";
import { adminApp, serveAdmin, type BackendKind } from "./support.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../docs/screenshots");

/**
 * Browser suites run in real headless Chromium (Debian `chromium`). Without it they are skipped
 * with a message; with REQUIRE_SERVICES=1 (CI) a missing browser fails the run instead.
 */
function browserAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const message = `${CHROMIUM} is not installed: the admin UI browser suites need it (apt-get install -y chromium)`;
  if (process.env.REQUIRE_SERVICES === "1") throw new Error(`REQUIRE_SERVICES=1 but ${message}`);
  console.warn(`[skip] ${message}; skipping them (REQUIRE_SERVICES=1 fails instead)`);
  return false;
}

export const describeBrowser = browserAvailable() ? describe : describe.skip;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** The whole server on loopback plus the admin UI next to it, and one browser for the file. */
export interface UiStack {
  s: Stack;
  browser: Browser;
  adminUrl: string;
  newPage(options?: BrowserContextOptions): Promise<Page>;
  signedInPage(options?: BrowserContextOptions): Promise<Page>;
  seedProject(name: string, apiKey?: string): Promise<string>;
  seedToken(projectId: string, minutes?: number, maxRequests?: number): Promise<{ id: string; token: string }>;
  getToken(id: string): Promise<{ is_active: boolean; max_requests: number | null }>;
  close(): Promise<void>;
}

export async function startUi(kind: BackendKind = "in-process"): Promise<UiStack> {
  const s = await startStack("embedded");
  const admin = await serveAdmin(adminApp(s, kind));
  const browser = await launchBrowser();
  const contexts: { close(): Promise<void> }[] = [];
  const newPage = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ baseURL: admin.url, viewport: { width: 1280, height: 900 }, ...options });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context.newPage();
  };
  const json = async <T>(res: Response): Promise<T> => {
    if (!res.ok) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    s,
    browser,
    adminUrl: admin.url,
    newPage,
    async signedInPage(options) {
      const page = await newPage(options);
      await signIn(page, s.managementToken);
      return page;
    },
    async seedProject(name, apiKey = "sk-test-key-for-e2e-0123456789") {
      const unique = `${name} ${Date.now()}-${Math.floor(Math.random() * 1000)}`;
      return (await json<{ id: string }>(await s.manage("/manage/projects", { json: { name: unique, api_key: apiKey } }))).id;
    },
    async seedToken(projectId, minutes = 60, maxRequests) {
      const body = { project_id: projectId, duration_minutes: minutes, ...(maxRequests ? { max_requests: maxRequests } : {}) };
      return json<{ id: string; token: string }>(await s.manage("/manage/tokens", { json: body }));
    },
    async getToken(id) {
      return json(await s.manage(`/manage/tokens/${id}`));
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await admin.close();
      await s.close();
    },
  };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto("/auth/login");
  await page.fill("#management_token", token);
  await Promise.all([page.waitForURL("**/dashboard"), page.click('button[type="submit"]')]);
}

/** The path (and query) of the page's URL. */
export const pathOf = (page: Page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

/** Playwright's strict-mode expectation: exactly one match, and it is visible. */
export async function expectOne(locator: Locator): Promise<void> {
  expect(await locator.count()).toBe(1);
  expect(await locator.isVisible()).toBe(true);
}

/** Accepts (or dismisses) the next dialog and returns its type and message. */
export function nextDialog(page: Page, accept = true): Promise<{ type: string; message: string }> {
  return new Promise((resolve) => {
    page.once("dialog", (d) => {
      const info = { type: d.type(), message: d.message() };
      void (accept ? d.accept() : d.dismiss()).then(() => resolve(info));
    });
  });
}

/**
 * Renders the page to PNG every run; writes it over docs/screenshots only with
 * UPDATE_SCREENSHOTS=1, so that a test run leaves the work tree as it found it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const update = process.env.UPDATE_SCREENSHOTS === "1";
  if (update) fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ ...(update ? { path: path.join(SCREENSHOTS, `${name}.png`) } : {}), fullPage: true });
}
