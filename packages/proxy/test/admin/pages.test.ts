import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../harness.js";
import { adminApp, FormClient } from "./support.js";

/** Admin pages without a browser: auth redirects, sessions, CSRF, escaping, audit context. */
describe.each(["in-process", "http"] as const)("admin pages (%s backend)", (kind) => {
  let s: Stack;
  let app: ReturnType<typeof adminApp>;
  const browser = { "user-agent": "AdminTest/1.0", "x-forwarded-for": "203.0.113.7", referer: "http://admin.test/projects" };

  beforeAll(async () => {
    // The http backend's calls come from the admin listener on loopback: trusted to forward the browser's IP.
    s = await startStack("embedded", { TRUSTED_PROXIES: "127.0.0.1" });
    app = adminApp(s, kind);
  });
  afterAll(() => s?.close());

  it("redirects every page to /auth/login with 303 when signed out, and / to /dashboard", async () => {
    for (const path of ["/dashboard", "/projects", "/projects/new", "/tokens", "/tokens/new", "/audit", "/audit/x", "/nope"]) {
      const res = await app.request(path);
      expect([path, res.status, res.headers.get("location")]).toEqual([path, 303, "/auth/login"]);
    }
    const root = await app.request("/");
    expect([root.status, root.headers.get("location")]).toEqual([301, "/dashboard"]);
    const post = await app.request("/projects", { method: "POST" });
    expect(post.status).toBe(303);
  });

  it("signs in with the management token into an encrypted HttpOnly, SameSite=Lax cookie", async () => {
    const client = new FormClient(app, browser);
    const login = await client.get("/auth/login");
    const html = await login.text();
    expect(html).toContain('id="management_token"');
    expect(html).toMatch(/<title>Sign In/);
    const res = await client.signIn(s.managementToken, true);
    expect([res.status, res.headers.get("location")]).toEqual([303, "/dashboard"]);
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/llmproxy_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toContain(s.managementToken);
    expect(Buffer.from(client.cookie("llmproxy_session") ?? "", "base64url").toString("latin1")).not.toContain(s.managementToken);
    const dash = await client.get("/dashboard");
    expect(dash.status).toBe(200);
    const page = await dash.text();
    expect(page).toMatch(/href="\/static\/css\/admin\.css\?v=\d+"/);
    expect(page).toMatch(/src="\/static\/js\/admin\.js\?v=\d+"/);
    expect(page).toContain('id="server-time"');
    expect(dash.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("refuses a wrong or empty token, audits the failure with the browser's context", async () => {
    const client = new FormClient(app, browser);
    const wrong = await client.signIn("wrong-token-value-123456");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Invalid management token");
    const empty = await client.signIn("");
    expect(empty.status).toBe(400);
    const action = kind === "in-process" ? "admin.login" : "management.auth";
    const res = await s.manage(`/manage/audit?action=${action}&outcome=denied`);
    const { events } = (await res.json()) as { events: { client_ip?: string; user_agent?: string; metadata?: string }[] };
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ client_ip: "203.0.113.7", user_agent: "AdminTest/1.0" });
    expect(JSON.parse(events[0]?.metadata ?? "{}")).toMatchObject({ origin: "admin-ui", referer: "http://admin.test/projects" });
  });

  it("rejects a POST without or with a wrong CSRF token with 403 and changes nothing", async () => {
    const client = new FormClient(app, browser);
    await client.signIn(s.managementToken);
    const before = (await (await s.manage("/manage/projects")).json()) as unknown[];
    expect((await client.post("/projects", { name: "forged", api_key: "sk-forged-key-0123456789" })).status).toBe(403);
    expect((await client.post("/projects", { _csrf: "x".repeat(43), name: "forged", api_key: "sk-forged-key-0123456789" })).status).toBe(403);
    const other = new FormClient(app, browser);
    const foreign = await other.csrf("/auth/login");
    expect((await client.post("/projects", { _csrf: foreign, name: "forged", api_key: "sk-forged-key-0123456789" })).status).toBe(403);
    expect(((await (await s.manage("/manage/projects")).json()) as unknown[]).length).toBe(before.length);
  });

  it("escapes a script-tag project name everywhere it is shown", async () => {
    const client = new FormClient(app, browser);
    await client.signIn(s.managementToken);
    const name = `<script>alert(1)</script> ${kind}`;
    const _csrf = await client.csrf("/projects/new");
    const created = await client.post("/projects", { _csrf, name, api_key: "sk-xss-key-0123456789abcdef" });
    expect(created.status).toBe(303);
    const location = created.headers.get("location") ?? "";
    for (const path of [location, "/projects", "/tokens/new", "/dashboard"]) {
      const html = await (await client.get(path)).text();
      expect(html, path).not.toContain("<script>alert(1)</script>");
    }
    expect(await (await client.get(location)).text()).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("audits admin actions with the admin's user agent, referer and IP", async () => {
    const client = new FormClient(app, browser);
    await client.signIn(s.managementToken);
    const _csrf = await client.csrf("/projects/new");
    await client.post("/projects", { _csrf, name: `audited ${kind}`, api_key: "sk-audited-key-0123456789" });
    const res = await s.manage("/manage/audit?action=project.create&outcome=success");
    const { events } = (await res.json()) as { events: { client_ip?: string; user_agent?: string; metadata?: string }[] };
    const ours = events.find((e) => e.metadata?.includes(`audited ${kind}`));
    expect(ours).toMatchObject({ client_ip: "203.0.113.7", user_agent: "AdminTest/1.0" });
    expect(JSON.parse(ours?.metadata ?? "{}")).toMatchObject({ origin: "admin-ui", referer: "http://admin.test/projects" });
  });

  it("sets, keeps and clears a project's monthly budget and a token's spend and rate limits through the forms", async () => {
    const client = new FormClient(app, browser);
    await client.signIn(s.managementToken);
    const api = async <T>(path: string) => (await (await s.manage(path)).json()) as T;
    const created = await client.post("/projects", { _csrf: await client.csrf("/projects/new"), name: `budgeted ${kind}`, api_key: "sk-budget-key-0123456789", monthly_budget_usd: "12.5" });
    expect(created.status).toBe(303);
    const projectPath = created.headers.get("location") ?? "";
    const projectId = projectPath.split("/").pop() ?? "";
    expect((await api<{ monthly_budget_usd: number | null }>(`/manage/projects/${projectId}`)).monthly_budget_usd).toBe(12.5);
    const edit = await (await client.get(`${projectPath}/edit`)).text();
    expect(edit).toMatch(/id="monthly_budget_usd"[^>]*value="12.5"/);
    const update = async (fields: Record<string, string>) =>
      client.post(projectPath, { _csrf: await client.csrf(`${projectPath}/edit`), _method: "PUT", name: `budgeted ${kind}`, is_active: "1", ...fields });
    expect((await update({ monthly_budget_usd: "0.000000001" })).status).toBe(303);
    expect((await api<{ monthly_budget_usd: number | null }>(`/manage/projects/${projectId}`)).monthly_budget_usd).toBe(1e-9);
    expect(await (await client.get(`${projectPath}/edit`)).text()).toMatch(/id="monthly_budget_usd"[^>]*value="0.000000001"/);
    expect((await update({ monthly_budget_usd: "" })).status).toBe(303);
    expect((await api<{ monthly_budget_usd: number | null }>(`/manage/projects/${projectId}`)).monthly_budget_usd).toBeNull();

    const token = await client.post("/tokens", { _csrf: await client.csrf("/tokens/new"), project_id: projectId, duration_minutes: "60", max_spend_usd: "2.5", rate_limit_rpm: "30" });
    expect(token.status).toBe(200);
    const page = await token.text();
    expect(page).toContain("$2.50 lifetime");
    expect(page).toContain("30 requests per minute");
    type Limits = { id: string; max_spend_usd: number | null; rate_limit_rpm: number | null; max_requests: number | null; is_active: boolean };
    const [made] = await api<Limits[]>(`/manage/tokens?project_id=${projectId}`);
    expect(made).toMatchObject({ max_spend_usd: 2.5, rate_limit_rpm: 30, max_requests: null });
    const tokenPath = `/tokens/${made?.id ?? ""}`;
    expect(await (await client.get(`${tokenPath}/edit`)).text()).toMatch(/id="rate_limit_rpm"[^>]*value="30"/);
    const save = async (fields: Record<string, string>) => client.post(tokenPath, { _csrf: await client.csrf(`${tokenPath}/edit`), _method: "PUT", is_active: "1", ...fields });
    expect((await save({ max_requests: "5", max_spend_usd: "0", rate_limit_rpm: "0" })).status).toBe(303);
    expect(await api<Limits>(`/manage${tokenPath}`)).toMatchObject({ max_requests: 5, max_spend_usd: 0, rate_limit_rpm: 0, is_active: true });
    expect((await save({ max_requests: "5", max_spend_usd: "", rate_limit_rpm: "" })).status).toBe(303);
    expect(await api<Limits>(`/manage${tokenPath}`)).toMatchObject({ max_requests: 5, max_spend_usd: null, rate_limit_rpm: null });
    expect(await (await client.get(tokenPath)).text()).toContain("Proxy default (RATE_LIMIT_RPM)");
  });

  it("re-renders a form with a 400 and the reason for a bad budget, spend limit or rate, changing nothing", async () => {
    const client = new FormClient(app, browser);
    await client.signIn(s.managementToken);
    const message = (html: string) => /<div class="alert alert-danger[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1]?.replace(/<[^>]+>/g, "").trim() ?? "";
    const projectCount = async () => ((await (await s.manage("/manage/projects")).json()) as unknown[]).length;
    const before = await projectCount();
    for (const [value, reason] of [
      ["-5", "Monthly budget must be an amount in USD of at least 0"],
      ["ten", "Monthly budget must be an amount in USD of at least 0"],
      ["1e3", "Monthly budget must be an amount in USD of at least 0"],
      ["0.0000000001", "at most 9 decimals"],
      ["10000000", "monthly_budget_usd must be at most 9000000"],
    ] as const) {
      const res = await client.post("/projects", { _csrf: await client.csrf("/projects/new"), name: `bad budget ${kind} ${value}`, api_key: "sk-budget-key-0123456789", monthly_budget_usd: value });
      const html = await res.text();
      expect([value, res.status]).toEqual([value, 400]);
      expect(message(html)).toContain(reason);
      expect(html).toMatch(new RegExp(`id="monthly_budget_usd"[^>]*value="${value.replace(/[.]/g, "\\.")}"`));
    }
    expect(await projectCount()).toBe(before);

    const projectId = ((await (await s.manage("/manage/projects", { json: { name: `limits ${kind}`, api_key: "sk-limits-key-0123456789", monthly_budget_usd: 7 } })).json()) as { id: string }).id;
    const editPath = `/projects/${projectId}/edit`;
    const bad = await client.post(`/projects/${projectId}`, { _csrf: await client.csrf(editPath), _method: "PUT", name: "renamed", is_active: "1", monthly_budget_usd: "-1" });
    expect(bad.status).toBe(400);
    expect(message(await bad.text())).toContain("Monthly budget must be an amount in USD");
    expect(await (await s.manage(`/manage/projects/${projectId}`)).json()).toMatchObject({ name: `limits ${kind}`, monthly_budget_usd: 7 });

    for (const [fields, reason] of [
      [{ max_spend_usd: "-0.5" }, "Spend limit must be an amount in USD of at least 0"],
      [{ max_spend_usd: "9000000.01" }, "max_spend_usd must be at most 9000000"],
      [{ rate_limit_rpm: "-1" }, "Requests per minute must be a whole number"],
      [{ rate_limit_rpm: "2.5" }, "Requests per minute must be a whole number"],
      [{ rate_limit_rpm: "1000001" }, "rate_limit_rpm is too large"],
    ] as const) {
      const res = await client.post("/tokens", { _csrf: await client.csrf("/tokens/new"), project_id: projectId, duration_minutes: "60", ...fields });
      expect([fields, res.status]).toEqual([fields, 400]);
      expect(message(await res.text())).toContain(reason);
    }
    expect(await (await s.manage(`/manage/tokens?project_id=${projectId}`)).json()).toEqual([]);
    const { id: tokenId } = (await (await s.manage("/manage/tokens", { json: { project_id: projectId, duration_minutes: 60, max_spend_usd: 3 } })).json()) as { id: string };
    const res = await client.post(`/tokens/${tokenId}`, { _csrf: await client.csrf(`/tokens/${tokenId}/edit`), _method: "PUT", is_active: "1", max_spend_usd: "lots", rate_limit_rpm: "12" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(message(html)).toContain("Spend limit must be an amount in USD");
    expect(html).toMatch(/id="max_spend_usd"[^>]*value="lots"/);
    expect(html).toMatch(/id="rate_limit_rpm"[^>]*value="12"/);
    expect(await (await s.manage(`/manage/tokens/${tokenId}`)).json()).toMatchObject({ max_spend_usd: 3, rate_limit_rpm: null });
  });

  it("signs out with GET or POST and the cookie no longer opens pages", async () => {
    const client = new FormClient(app, browser);
    await client.signIn(s.managementToken);
    const _csrf = await client.csrf("/dashboard");
    const out = await client.post("/auth/logout", { _csrf });
    expect([out.status, out.headers.get("location")]).toEqual([303, "/auth/login"]);
    expect((await client.get("/dashboard")).status).toBe(303);
  });

  it("locks an address out after repeated failures with 429 and Retry-After", async () => {
    const strict = adminApp(s, kind, { loginThrottle: { failureDelayMs: 0, freeFailures: 2 } });
    const client = new FormClient(strict, { ...browser, "x-forwarded-for": "198.51.100.9" });
    expect((await client.signIn("wrong-1-aaaaaaaaaaaaaaa")).status).toBe(401);
    expect((await client.signIn("wrong-2-aaaaaaaaaaaaaaa")).status).toBe(401);
    expect((await client.signIn("wrong-3-aaaaaaaaaaaaaaa")).status).toBe(401);
    const locked = await client.signIn(s.managementToken);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    const elsewhere = new FormClient(strict, { ...browser, "x-forwarded-for": "198.51.100.10" });
    expect((await elsewhere.signIn(s.managementToken)).status).toBe(303);
  });

  it("makes a browser-session cookie without remember-me, and refuses a cookie sealed with another secret", async () => {
    const client = new FormClient(app, browser);
    const res = await client.signIn(s.managementToken);
    expect(res.headers.getSetCookie().join("\n")).not.toMatch(/Max-Age/);
    const other = adminApp(s, kind, { sessionSecret: "a-different-session-secret-0123" });
    const cookie = `llmproxy_session=${client.cookie("llmproxy_session") ?? ""}`;
    expect((await other.request("/dashboard", { headers: { cookie } })).status).toBe(303);
    expect((await app.request("/dashboard", { headers: { cookie } })).status).toBe(200);
  });

  it("serves Bootstrap and the icon font from this server", async () => {
    const html = await (await app.request("/auth/login")).text();
    for (const m of html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)) {
      const res = await app.request(m[1] ?? "");
      expect([m[1], res.status]).toEqual([m[1], 200]);
    }
    expect((await app.request("/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")).headers.get("content-type")).toBe("font/woff2");
  });
});

describe("admin pages with NUL in an address or a filter", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack("embedded");
  });
  afterAll(() => s?.close());

  it("answers 400 naming where, never 500", async () => {
    const client = new FormClient(adminApp(s, "in-process"), { "user-agent": "AdminTest/1.0" });
    await client.signIn(s.managementToken);
    for (const path of ["/projects/a%00b", "/projects/a%00b/edit", "/tokens/a%00b", "/audit/a%00b", "/tokens?project_id=a%00b", "/audit?search=a%00b"]) {
      const res = await client.get(path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(await res.text()).toContain("must not contain NUL characters");
    }
  });
});
