import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createAdminApp, httpBackend, inProcessBackend, type AdminOptions } from "../../src/admin/index.js";
import { clientIpResolver, parseTrustedProxies } from "../../src/api/client-ip.js";
import type { Stack } from "../harness.js";

export const SESSION_SECRET = "admin-test-session-secret-0123456789";

export type BackendKind = "in-process" | "http";

const oneHop = clientIpResolver(parseTrustedProxies("1"));
/** `app.request()` has no socket: act as if a trusted proxy on loopback forwarded the test's X-Forwarded-For. */
const behindLoopbackProxy: AdminOptions["clientIp"] = (peer) => oneHop({ ...peer, socket: peer.socket ?? "127.0.0.1" });

/** The admin app over a running stack, in-process or through the management API. */
export function adminApp(s: Stack, kind: BackendKind = "in-process", extra: Partial<AdminOptions> = {}) {
  return createAdminApp({
    backend: kind === "in-process" ? inProcessBackend(s.domain, s.managementToken) : httpBackend(s.apiUrl),
    sessionSecret: SESSION_SECRET,
    secureCookies: false,
    publicApiBaseUrl: s.apiUrl,
    version: "test",
    loginThrottle: { failureDelayMs: 50 },
    clientIp: behindLoopbackProxy,
    ...extra,
  });
}

/** Serves the admin app on a loopback port, as the lead's second listener will. */
export async function serveAdmin(app: ReturnType<typeof adminApp>): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const srv = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(srv as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser-less client for `app.request()`: keeps cookies, reads CSRF tokens from forms. */
export class FormClient {
  private cookies = new Map<string, string>();
  constructor(
    private readonly app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
    private readonly headers: Record<string, string> = {},
  ) {}

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(path: string): Promise<Response> {
    const res = await this.app.request(path, { headers: { ...this.headers, cookie: this.cookieHeader() } });
    this.remember(res);
    return res;
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    const res = await this.app.request(path, {
      method: "POST",
      headers: { ...this.headers, cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    this.remember(res);
    return res;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** Loads a page and returns the CSRF token of its first form. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.get(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m?.[1]) throw new Error(`no CSRF field on ${path}`);
    return m[1];
  }

  async signIn(token: string, remember = false): Promise<Response> {
    const _csrf = await this.csrf("/auth/login");
    return this.post("/auth/login", { _csrf, management_token: token, ...(remember ? { remember_me: "1" } : {}) });
  }
}
