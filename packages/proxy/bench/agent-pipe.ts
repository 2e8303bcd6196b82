import http from "node:http";
import { serve } from "./serve.js";

/**
 * The benchmark's former reference, an extra column with BENCH_AGENT_PIPE=1: a `node:http`
 * keep-alive Agent piping both ways, no checks. Slower than the undici pipe (pipe.ts).
 */
const upstream = new URL(process.argv[2] ?? "http://127.0.0.1:1");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const server = http.createServer((req, res) => {
  const up = http.request({ agent, host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => res.destroy());
  req.pipe(up);
});
serve(server);
