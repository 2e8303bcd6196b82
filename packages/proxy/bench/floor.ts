import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type { Dispatcher } from "undici";
import { serve, upstreamPool } from "./serve.js";

/**
 * `BENCH_FLOOR=1`: the least work the contract asks of a gateway for each JSON request, written
 * as one function on the undici pipe with nothing to configure, to show what that work costs at
 * the very least. It looks the bearer up in a Map, reads and parses the body (the model), sends it
 * upstream with the contract's headers, adds them to the answer, keeps the answer and parses its
 * usage, and appends the event (`JSON.stringify`, base64 bodies) to a JSONL file every 10 ms, or
 * with a Redis URL and stream key to a Redis stream (one script call of XADDs per 100 events, as
 * the proxy writes them). No limits, metrics, usage rows, breaker, cache, timeouts, hop-by-hop
 * handling or error paths: the proxy's ratio can come near this one, not above it.
 *
 * Arguments: upstream origin, bearer secret, [Redis URL, stream key].
 */
const [, , upstreamUrl = "http://127.0.0.1:1", secret = "", redisUrl, streamKey = ""] = process.argv;
const upstream = new URL(upstreamUrl);
const redis = redisUrl ? new Redis(redisUrl) : undefined;
const XADDS = "for i = 1, #ARGV do redis.call('XADD', KEYS[1], '*', 'data', ARGV[i]) end return #ARGV";
const pool = upstreamPool(upstream);
const tokens = new Map([[`Bearer ${secret}`, { id: randomUUID(), projectId: randomUUID(), apiKey: "sk-bench-upstream-key" }]]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-proxy-floor-"));
const file = fs.openSync(path.join(dir, "events.jsonl"), "a");
let queue: string[] = [];
let timer: NodeJS.Timeout | undefined;
const publish = (event: string) => {
  queue.push(event);
  timer ??= setTimeout(() => {
    timer = undefined;
    const batch = queue;
    queue = [];
    if (!redis) return void fs.write(file, batch.join("\n") + "\n", () => {});
    const pipeline = redis.pipeline();
    for (let i = 0; i < batch.length; i += 100) pipeline.eval(XADDS, 1, streamKey, ...batch.slice(i, i + 100));
    void pipeline.exec();
  }, 10);
};
const iso = () => new Date().toISOString();
const nanos = () => String(Date.now() * 1e6);

const server = http.createServer((req, res) => {
  const token = tokens.get(req.headers.authorization ?? "");
  if (!token) return void res.writeHead(401).end();
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const model = (JSON.parse(body.toString()) as { model?: string }).model ?? null;
    const requestId = randomUUID();
    const receivedAt = iso();
    const headers: Record<string, string> = {};
    for (const k in req.headers) if (k !== "connection" && k !== "host" && k !== "authorization") headers[k] = req.headers[k] as string;
    headers.authorization = `Bearer ${token.apiKey}`;
    headers["x-proxy"] = "llm-proxy";
    headers["x-proxy-version"] = "0";
    headers["x-proxy-id"] = token.projectId;
    headers["x-request-id"] = requestId;
    headers["x-upstream-request-start"] = nanos();
    const kept: Buffer[] = [];
    let upstreamHeaders: Record<string, string> = {};
    let status = 0;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode, h) {
        status = statusCode;
        const out: Record<string, string> = {};
        for (const k in h) if (k !== "connection" && k !== "keep-alive") out[k] = h[k] as string;
        upstreamHeaders = out;
        const now = iso();
        const down: Record<string, string> = {};
        for (const k in out) down[k] = out[k] as string;
        down["x-proxy"] = "llm-proxy";
        down["x-request-id"] = requestId;
        down["x-proxy-received-at"] = receivedAt;
        down["x-proxy-first-response-at"] = now;
        down["x-proxy-final-response-at"] = now;
        down["x-upstream-request-stop"] = nanos();
        res.writeHead(statusCode, down);
      },
      onResponseData(_c, chunk) {
        kept.push(chunk);
        res.write(chunk);
      },
      onResponseEnd() {
        res.end();
        const answer = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
        const usage = (JSON.parse(answer.toString()) as { usage?: unknown }).usage ?? null;
        publish(
          JSON.stringify({
            schema_version: 1, id: randomUUID(), request_id: requestId, project_id: token.projectId, token_id: token.id, provider: "openai", method: req.method, path: req.url,
            status, model, streaming: false, timestamp: receivedAt, duration_ms: 0, upstream_ms: 0, first_byte_ms: 0, usage, cost_usd: 0, cache_status: null,
            response_headers: upstreamHeaders, request_body: body.toString("base64"), request_body_truncated: false, response_body: answer.toString("base64"), response_body_truncated: false, error_code: null,
          }),
        );
      },
      onResponseError() {
        res.destroy();
      },
    };
    pool.dispatch({ path: req.url ?? "/", method: req.method as Dispatcher.HttpMethod, headers, body }, handler);
  });
});
serve(server, () => {
  fs.rmSync(dir, { recursive: true, force: true });
  // The bench's events do not stay in a shared Redis.
  return redis?.del(streamKey);
});
