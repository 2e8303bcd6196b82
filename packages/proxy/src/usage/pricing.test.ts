import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { charger } from "./charge.js";
import { usageMetrics } from "./metrics.js";
import { costNanos, loadPricing, Pricing } from "./pricing.js";

function file(name: string, text: string): string {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pricing-")), name);
  fs.writeFileSync(p, text);
  return p;
}

describe("the price table", () => {
  it("ships OpenAI and Anthropic chat, Responses and embedding prices, dated and sourced", () => {
    const p = loadPricing(undefined);
    expect(p.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(p.source).toContain("genai-prices");
    for (const model of ["gpt-4o-mini", "gpt-4.1", "gpt-5", "o4-mini", "text-embedding-3-small", "claude-sonnet-4-5-20250929", "claude-3-5-haiku-20241022"]) {
      expect(p.priceOf(model), model).toBeDefined();
    }
    expect(p.priceOf("gpt-4o-mini")).toMatchObject({ input: 150_000, cachedInput: 75_000, output: 600_000 });
  });

  it("prefers an exact name over a glob and a longer glob over a shorter", () => {
    const p = new Pricing({ "m*": { input: 1, output: 1 }, "m-large*": { input: 2, output: 2 }, "m-large-x": { input: 3, output: 3 } }, "", "");
    expect(p.priceOf("m-small")?.key).toBe("m*");
    expect(p.priceOf("m-large-2")?.key).toBe("m-large*");
    expect(p.priceOf("m-large-x")?.key).toBe("m-large-x");
    expect(p.priceOf("other")).toBeUndefined();
  });

  it("prices cached input tokens at the cached price, exactly, in nano-dollars", () => {
    const price = new Pricing({ m: { input: 2.5, cached_input: 1.25, output: 10 } }, "", "").priceOf("m");
    // 936 × $2.50 + 64 × $1.25 + 50 × $10, per 1M tokens = $0.00292
    expect(costNanos({ prompt: 1000, completion: 50, cached: 64 }, price as never)).toBe(2_920_000);
    // No cached price: cached tokens cost the input price.
    const plain = new Pricing({ m: { input: 0.02, output: 0 } }, "", "").priceOf("m");
    expect(costNanos({ prompt: 3, completion: 0, cached: 1 }, plain as never)).toBe(60);
  });

  it("adds a PRICING_PATH file's entries (YAML or JSON) over the built-in ones", () => {
    const p = loadPricing(file("prices.yaml", "models:\n  gpt-4o-mini: { input: 1, output: 2 }\n  'my-*': { input: 3, output: 4, cached_input: 0.5 }\n"));
    expect(p.priceOf("gpt-4o-mini")).toMatchObject({ input: 1_000_000, cachedInput: 1_000_000, output: 2_000_000 });
    expect(p.priceOf("my-model")?.key).toBe("my-*");
    expect(p.priceOf("gpt-4.1")).toBeDefined();
    expect(loadPricing(file("prices.json", JSON.stringify({ models: { x: { input: 1, output: 1 } } }))).priceOf("x")).toBeDefined();
  });

  it("stops the start on a bad file, naming the field", () => {
    expect(() => loadPricing(file("a.yaml", "models:\n  gpt-x: { input: -1, output: 2 }\n"))).toThrow(/PRICING_PATH: .*a\.yaml: models\.gpt-x\.input: input must be >= 0/);
    expect(() => loadPricing(file("b.yaml", "models:\n  gpt-x: { input: 1 }\n"))).toThrow(/models\.gpt-x\.output/);
    expect(() => loadPricing(file("c.yaml", "models:\n  gpt-x: { input: 1, output: 1, cache: 2 }\n"))).toThrow(/models\.gpt-x: Unrecognized key: "cache"/);
    expect(() => loadPricing(file("d.yaml", "models: [1, 2\n"))).toThrow(/not valid YAML or JSON/);
    expect(() => loadPricing("/nonexistent/prices.yaml")).toThrow(/PRICING_PATH: cannot read \/nonexistent\/prices.yaml: ENOENT/);
  });
});

describe("charging a request", () => {
  it("counts spend per project and priced model, and a model with no price once in a warning and every time in a metric", async () => {
    const registry = new Registry();
    const warned: string[] = [];
    const charge = charger(new Pricing({ "gpt-*": { input: 1, output: 2 } }, "", ""), usageMetrics(registry), (m) => warned.push(m));
    expect(charge("p1", "gpt-x", { prompt: 1000, completion: 1000 })).toBe(3_000_000);
    expect(charge("p1", "mystery", { prompt: 10, completion: 1 })).toBe(0);
    expect(charge("p1", "mystery", { prompt: 10, completion: 1 })).toBe(0);
    expect(warned).toEqual(["mystery"]);
    const text = await registry.metrics();
    expect(text).toContain('llm_proxy_spend_usd_total{project_id="p1",model="gpt-*"} 0.003');
    expect(text).toContain("llm_proxy_unpriced_requests_total 2");
  });
});
