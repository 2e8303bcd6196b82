/** One response (or failure) as bench saw it. */
export interface Sample {
  ms: number;
  status: number | undefined;
  /** Upstream time from the proxy's X-UPSTREAM-REQUEST-START/STOP headers (non-streaming only). */
  upstreamMs: number | undefined;
  cache: "hit" | "miss" | undefined;
  error: string | undefined;
}

export interface Distribution {
  avg: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface BenchReport {
  requests: number;
  concurrency: number;
  seconds: number;
  rps: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  latencyMs: Distribution;
  cache: { hits: number; misses: number; unknown: number };
  /** Over responses with timing headers: what the upstream took and what the proxy added. */
  split: { samples: number; upstreamMs: Distribution; proxyMs: Distribution } | undefined;
  firstError: string | undefined;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Nearest-rank percentiles over a copy; zeros for no data. */
export function distribution(values: number[]): Distribution {
  if (values.length === 0) return { avg: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const v = [...values].sort((a, b) => a - b);
  const at = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))] ?? 0;
  return {
    avg: round(v.reduce((s, x) => s + x, 0) / v.length),
    min: round(v[0] ?? 0),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(v[v.length - 1] ?? 0),
  };
}

/** Cache-Status (RFC 9211, e.g. `llm-proxy; hit`) or the original's X-PROXY-CACHE. */
export function cacheOutcome(headers: Headers): "hit" | "miss" | undefined {
  const text = `${headers.get("cache-status") ?? ""} ${headers.get("x-proxy-cache") ?? ""}`.toLowerCase();
  if (/\bhit\b/.test(text)) return "hit";
  if (/\b(miss|fwd|bypass|stored)\b/.test(text)) return "miss";
  return undefined;
}

/** Upstream duration in ms from the unix-nanosecond timing headers, when both are there. */
export function upstreamMs(headers: Headers): number | undefined {
  const start = headers.get("x-upstream-request-start");
  const stop = headers.get("x-upstream-request-stop");
  if (!start || !stop || !/^\d+$/.test(start) || !/^\d+$/.test(stop)) return undefined;
  return Number(BigInt(stop) - BigInt(start)) / 1e6;
}

export function summarize(samples: Sample[], concurrency: number, seconds: number): BenchReport {
  const statuses: Record<string, number> = {};
  for (const s of samples) {
    const key = s.status !== undefined ? String(s.status) : "error";
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const ok = samples.filter((s) => s.status !== undefined && s.status < 400).length;
  const timed = samples.filter((s): s is Sample & { upstreamMs: number } => s.upstreamMs !== undefined);
  return {
    requests: samples.length,
    concurrency,
    seconds: round(seconds),
    rps: round(seconds > 0 ? samples.length / seconds : 0),
    ok,
    failed: samples.length - ok,
    statuses,
    latencyMs: distribution(samples.filter((s) => s.status !== undefined).map((s) => s.ms)),
    cache: {
      hits: samples.filter((s) => s.cache === "hit").length,
      misses: samples.filter((s) => s.cache === "miss").length,
      unknown: samples.filter((s) => s.cache === undefined).length,
    },
    split: timed.length
      ? { samples: timed.length, upstreamMs: distribution(timed.map((s) => s.upstreamMs)), proxyMs: distribution(timed.map((s) => Math.max(0, s.ms - s.upstreamMs))) }
      : undefined,
    firstError: samples.find((s) => s.error !== undefined)?.error,
  };
}

const line = (d: Distribution) => `avg ${d.avg}  min ${d.min}  p50 ${d.p50}  p90 ${d.p90}  p95 ${d.p95}  p99 ${d.p99}  max ${d.max}`;

export function formatReport(r: BenchReport): string[] {
  return [
    `requests     ${r.requests} (concurrency ${r.concurrency}) in ${r.seconds} s: ${r.rps} req/s`,
    `status       ${Object.entries(r.statuses).map(([k, n]) => `${k}×${n}`).join("  ")}`,
    `latency ms   ${line(r.latencyMs)}`,
    `cache        ${r.cache.hits} hits, ${r.cache.misses} misses${r.cache.unknown ? `, ${r.cache.unknown} without a cache header` : ""}`,
    ...(r.split
      ? [`upstream ms  ${line(r.split.upstreamMs)}`, `proxy ms     ${line(r.split.proxyMs)}   (client latency minus upstream; ${r.split.samples} responses)`]
      : ["split        no X-UPSTREAM-REQUEST-START/STOP headers (streaming responses or not an llm-proxy)"]),
    ...(r.firstError ? [`first error  ${r.firstError}`] : []),
  ];
}
