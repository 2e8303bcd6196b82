import type { ProxyEvent } from "@llm-proxy/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../../../test/fake-upstream.js";
import { createMemoryBus } from "../../bus/memory.js";
import { createLogger } from "../../observability/logger.js";
import { createMetrics } from "../../observability/metrics.js";
import { Registry } from "prom-client";
import { charger } from "../../usage/charge.js";
import { usageMetrics } from "../../usage/metrics.js";
import { Pricing } from "../../usage/pricing.js";
import type { RecordedRequest } from "../../usage/recorder.js";
import { Upstreams } from "../forward.js";
import { finish } from "./finish.js";
import { forward } from "./forward.js";
import { defaultProvider, exchange } from "./testing.js";

describe("finish", () => {
  let fake: FakeUpstream;
  const upstreams = new Upstreams();
  const events: ProxyEvent[] = [];
  const recorded: RecordedRequest[] = [];
  const logger = createLogger({ level: "silent", format: "json" });
  const deps = {
    metrics: createMetrics(),
    logger,
    observability: true,
    bus: createMemoryBus(100, async (batch) => void events.push(...batch), () => {}),
    usage: { record: (r: RecordedRequest) => void recorded.push(r) },
    // gpt-4o: $2.50 in, $10 out per 1M tokens.
    charge: charger(new Pricing({ "gpt-4o": { input: 2.5, output: 10 } }, "test", "2026-01-01"), usageMetrics(new Registry()), () => {}),
  };

  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  afterAll(async () => {
    await upstreams.close();
    await fake?.close();
  });

  /** Waits until the usage is recorded and the bus delivered the request's event. */
  async function settle(finishing: Set<Promise<void>>, requestId: string) {
    while (finishing.size > 0) await Promise.allSettled([...finishing]);
    for (let i = 0; i < 1000 && !events.some((e) => e.request_id === requestId); i++) await new Promise((r) => setTimeout(r, 10));
  }

  function chat(stream: boolean) {
    const body = JSON.stringify({ model: "gpt-4o", stream, messages: [{ role: "user", content: "hello there" }] });
    const e = exchange({ headers: { "content-type": "application/json", "content-length": String(body.length) }, provider: defaultProvider(fake.url) });
    Object.assign(e.x, { hasBody: true, body: Buffer.from(body), model: "gpt-4o", project: { isActive: true, apiKey: "sk-up", fetchedAt: 0, monthlyBudgetNanos: null }, token: { id: "tok-1", projectId: "proj-1", expiresAt: null, limited: false, rateLimitRpm: null, maxSpendNanos: null } });
    return e.x;
  }

  it("records the upstream's usage and publishes the event with both bodies", async () => {
    const x = chat(false);
    await forward(x, { upstreams, metrics: deps.metrics, logger, cache: undefined });
    const finishing = new Set<Promise<void>>();
    finish(x, deps, finishing);
    await settle(finishing, x.requestId);
    expect(recorded.at(-1)).toMatchObject({ tokenId: "tok-1", projectId: "proj-1", model: "gpt-4o", countRequest: true, cacheHit: false, error: false, promptTokens: 11, completionTokens: 7, costNanos: 97_500 });
    const e = events.at(-1) as ProxyEvent;
    // 11 × $2.50/1M + 7 × $10/1M
    expect(e).toMatchObject({ request_id: x.requestId, project_id: "proj-1", token_id: "tok-1", status: 200, model: "gpt-4o", streaming: false, error_code: null, usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 }, cost_usd: 0.0000975 });
    expect(Buffer.from(e.request_body, "base64").toString()).toContain("hello there");
    expect(Buffer.from(e.response_body, "base64").toString()).toContain("chatcmpl-fake");
    expect(e.first_byte_ms).toBeGreaterThanOrEqual(0);
  });

  it("reads the upstream's usage with events off too (no event, no tokenizer)", async () => {
    const x = chat(false);
    await forward(x, { upstreams, metrics: deps.metrics, logger, cache: undefined });
    const finishing = new Set<Promise<void>>();
    const before = events.length;
    finish(x, { ...deps, observability: false }, finishing);
    await new Promise((r) => setImmediate(r));
    // Recorded at once: the tokenizer (a promise in \`finishing\`) was never asked.
    expect(finishing.size).toBe(0);
    expect(recorded.at(-1)).toMatchObject({ promptTokens: 11, completionTokens: 7, costNanos: 97_500 });
    await new Promise((r) => setTimeout(r, 30));
    expect(events.length).toBe(before);
  });

  it("counts a stream's tokens with the tokenizer when its chunks report no usage", async () => {
    const x = chat(true);
    await forward(x, { upstreams, metrics: deps.metrics, logger, cache: undefined });
    const finishing = new Set<Promise<void>>();
    finish(x, deps, finishing);
    await settle(finishing, x.requestId);
    expect(events.find((e) => e.request_id === x.requestId)).toMatchObject({ streaming: true, status: 200 });
    // The fake stream reports no usage here: the tokenizer counted the prompt and the deltas.
    expect(recorded.at(-1)?.promptTokens).toBeGreaterThan(0);
    expect(recorded.at(-1)?.completionTokens).toBeGreaterThan(0);
  });

  it("records a refusal as an error without a request count, and a client that left as 499", async () => {
    const refused = chat(false);
    Object.assign(refused, { status: 429, errorCode: "rate_limit_exceeded" });
    refused.res.end();
    const finishing = new Set<Promise<void>>();
    finish(refused, deps, finishing);
    await settle(finishing, refused.requestId);
    expect(recorded.at(-1)).toMatchObject({ countRequest: false, error: true, promptTokens: 0 });
    expect(events.at(-1)).toMatchObject({ request_id: refused.requestId, status: 429, error_code: "rate_limit_exceeded", upstream_ms: null, response_body: "" });

    const gone = chat(false);
    gone.res.destroy();
    finish(gone, deps, finishing);
    await settle(finishing, gone.requestId);
    expect(events.at(-1)).toMatchObject({ request_id: gone.requestId, status: 499 });
  });
});
