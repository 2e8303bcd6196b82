import http from "node:http";
import { Writable } from "node:stream";
import { serve, upstreamPool } from "./serve.js";

/**
 * The benchmark's reference (SPEC §10): a bare undici pipe, the floor for any Node.js proxy. A
 * raw `node:http` server hands each request to undici `Pool.stream` (the client the proxy uses,
 * pooled the same way) and writes the answer straight back: no checks, no events, no metrics.
 * The gap between it and llm-proxy is what the data plane costs.
 */
const upstream = new URL(process.argv[2] ?? "http://127.0.0.1:1");
const pool = upstreamPool(upstream);
const server = http.createServer((req, res) => {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && k !== "connection" && k !== "host" && k !== "keep-alive") headers[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  pool
    .stream({ path: req.url ?? "/", method: req.method as "POST", headers, body: req }, ({ statusCode, headers: h }) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(h)) if (v !== undefined && k !== "connection" && k !== "keep-alive") out[k] = v;
      res.writeHead(statusCode, out);
      return new Writable({
        write(chunk: Buffer, _enc, done) {
          if (res.write(chunk)) done();
          else res.once("drain", done);
        },
        final(done) {
          res.end(done);
        },
      });
    })
    .catch(() => res.destroy());
});
serve(server);
