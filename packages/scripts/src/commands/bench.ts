import type { Command } from "../cli/command.js";
import { println } from "../cli/context.js";
import { CliError, UsageError, oneLine } from "../cli/errors.js";
import { printJson } from "../cli/output.js";
import { apiUrl, apiUrlOption, jsonOption } from "../cli/manage-api.js";
import { cacheOutcome, formatReport, summarize, upstreamMs, type Sample } from "../cli/bench-stats.js";

export const bench: Command = {
  name: "bench",
  summary: "Load a running proxy: RPS, latency percentiles, cache hits, and proxy vs upstream time.",
  options: {
    ...apiUrlOption,
    ...jsonOption,
    token: { type: "string", help: "withering token (env LLM_PROXY_TOKEN)" },
    endpoint: { type: "string", help: "path (default /v1/chat/completions)" },
    method: { type: "string", help: "HTTP method (default POST; GET without a body)" },
    body: { type: "string", help: "JSON request body (default: a one-line chat completion)" },
    model: { type: "string", help: "model in the default body (default gpt-4o-mini)" },
    requests: { type: "string", short: "n", help: "number of requests (default 100)" },
    concurrency: { type: "string", short: "c", help: "requests in flight at once (default 10)" },
    cache: { type: "boolean", help: "opt in to the response cache: Cache-Control: public, max-age=<cache-ttl>" },
    "cache-ttl": { type: "string", help: "seconds for --cache (default 86400)" },
    timeout: { type: "string", help: "per-request timeout in seconds (default 60)" },
  },
  details: ["Exit 1 when any request failed (the report is printed either way)."],
  async run(args, ctx) {
    args.noMorePositionals(0);
    const token = args.string("token") ?? ctx.env.LLM_PROXY_TOKEN;
    if (!token) throw new UsageError("no token: pass --token or set LLM_PROXY_TOKEN");
    const total = args.int("requests", { min: 1, max: 10_000_000 }) ?? 100;
    const concurrency = Math.min(total, args.int("concurrency", { min: 1, max: 10_000 }) ?? 10);
    const method = (args.string("method") ?? "POST").toUpperCase();
    const body = method === "GET" || method === "HEAD" ? undefined : requestBody(args.string("body"), args.string("model"));
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) };
    if (args.flag("cache")) headers["cache-control"] = `public, max-age=${args.int("cache-ttl", { min: 1 }) ?? 86_400}`;
    const url = `${apiUrl(args, ctx)}${args.string("endpoint") ?? "/v1/chat/completions"}`;
    const timeoutMs = (args.int("timeout", { min: 1 }) ?? 60) * 1000;

    const samples: Sample[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < total) {
        next++;
        samples.push(await once(url, { method, headers, body }, timeoutMs));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const report = summarize(samples, concurrency, (performance.now() - started) / 1000);

    if (report.ok === 0 && samples.every((s) => s.status === undefined)) throw new CliError(`cannot reach ${url}: ${report.firstError ?? "no response"}`);
    if (args.flag("json")) printJson(ctx.stdout, report);
    else for (const l of formatReport(report)) println(ctx.stdout, l);
    return report.failed > 0 ? 1 : 0;
  },
};

function requestBody(given: string | undefined, model: string | undefined): string {
  if (given === undefined) return JSON.stringify({ model: model ?? "gpt-4o-mini", messages: [{ role: "user", content: "Say hello." }] });
  try {
    JSON.parse(given);
  } catch {
    throw new UsageError("--body: not valid JSON");
  }
  return given;
}

async function once(url: string, init: { method: string; headers: Record<string, string>; body: string | undefined }, timeoutMs: number): Promise<Sample> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text(); // the whole body: latency is time to the last byte
    const ms = performance.now() - t0;
    const error = res.ok ? undefined : `HTTP ${res.status}: ${text.slice(0, 200).replace(/\s+/g, " ")}`;
    return { ms, status: res.status, upstreamMs: upstreamMs(res.headers), cache: cacheOutcome(res.headers), error };
  } catch (err) {
    return { ms: performance.now() - t0, status: undefined, upstreamMs: undefined, cache: undefined, error: oneLine(err).replace(/^fetch failed: /, "") };
  }
}
