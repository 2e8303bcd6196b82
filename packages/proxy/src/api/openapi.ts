import { z } from "zod";
import type { Route } from "./routes.js";
import { errorSchema } from "./schemas.js";

const json = (schema: z.ZodType) => ({ "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } });

/** Builds the OpenAPI 3.1 document from the same route table the server is built from. */
export function openApiDocument(routes: Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const query = r.query ? Object.keys((r.query as z.ZodObject).shape).map((name) => ({ name, in: "query", schema: { type: "string" } })) : [];
    const responses: Record<string, unknown> = {
      [r.status]: r.response ? { description: "OK", content: json(r.response) } : { description: "No content" },
      "400": { description: "Invalid input", content: json(errorSchema) },
      "401": { description: "Missing or invalid management token", content: json(errorSchema) },
    };
    if (r.path.includes("{id}")) responses["404"] = { description: "Not found", content: json(errorSchema) };
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      parameters: [...params, ...query],
      ...(r.body ? { requestBody: { required: true, content: json(r.body) } } : {}),
      responses,
      security: [{ managementToken: [] }],
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "llm-proxy management API", version },
    components: { securitySchemes: { managementToken: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
