import { Hono } from "hono";
import { callOf, type AdminEnv } from "../context.js";
import { AUDIT_FILTERS, AuditEventPage, AuditListPage, type AuditFilters } from "../views/audit.js";
import type { RouteDeps } from "./deps.js";

const PAGE_SIZE = 20;

export function auditRoutes(deps: RouteDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get("/audit", async (c) => {
    const filters: AuditFilters = {};
    for (const k of AUDIT_FILTERS) {
      const v = c.req.query(k)?.trim();
      if (v) filters[k] = v.slice(0, 200);
    }
    const page = Math.max(1, Number.parseInt(c.req.query("page") ?? "", 10) || 1);
    const result = await deps.backend.listAudit(callOf(c), { ...filters, page: String(page), page_size: String(PAGE_SIZE) });
    return c.html(<AuditListPage frame={deps.frame(c)} result={result} filters={filters} />);
  });

  app.get("/audit/:id", async (c) => {
    const event = await deps.backend.getAudit(callOf(c), c.req.param("id"));
    return c.html(<AuditEventPage frame={deps.frame(c)} event={event} />);
  });

  return app;
}
