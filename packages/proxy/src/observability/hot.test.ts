import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { HotCounter, HotGauge, HotHistogram } from "./hot.js";

const BUCKETS = [0.005, 0.01, 0.1, 1];
const OBSERVED: [Record<string, string>, number][] = [
  [{ provider: "openai", streaming: "false" }, 0.004],
  [{ provider: "openai", streaming: "false" }, 0.005],
  [{ provider: "openai", streaming: "false" }, 0.2],
  [{ provider: "anthropic", streaming: "true" }, 3],
  [{ provider: "openai", streaming: "true" }, 0.05],
];

describe("hot-path metrics", () => {
  it("a histogram scrapes exactly as prom-client's own, bucket by bucket", async () => {
    const [ours, theirs] = [new Registry(), new Registry()];
    const hot = new HotHistogram({ name: "x_seconds", help: "h", labelNames: ["provider", "streaming"], registers: [ours] }, BUCKETS);
    const reference = new Histogram({ name: "x_seconds", help: "h", labelNames: ["provider", "streaming"], buckets: BUCKETS, registers: [theirs] });
    for (const [labels, v] of OBSERVED) {
      hot.observe(labels, v);
      reference.observe(labels, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("a counter keeps one series per label set, whatever the key order, and refuses what prom-client refuses", async () => {
    const [ours, theirs] = [new Registry(), new Registry()];
    const hot = new HotCounter({ name: "x_total", help: "c", labelNames: ["code", "kind"], registers: [ours] });
    const reference = new Counter({ name: "x_total", help: "c", labelNames: ["code", "kind"], registers: [theirs] });
    for (const [labels, v] of [[{ code: "a", kind: "k" }, 1], [{ kind: "k", code: "a" }, 2.5], [{ code: "b" }, 1], [{ code: "a", kind: "" }, 1]] as const) {
      hot.inc(labels, v);
      reference.inc(labels, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect((await hot.get()).values.find((v) => v.labels.code === "a" && v.labels.kind === "k")?.value).toBe(3.5);
    expect(() => hot.inc({ code: "a" }, -1)).toThrow(/finite amount/);
    expect(() => hot.inc({ code: "a" }, Number.NaN)).toThrow(/finite amount/);
  });

  it("a gauge reads its current value at scrape time", async () => {
    const registry = new Registry();
    const g = new HotGauge({ name: "in_flight", help: "g", registers: [registry] });
    g.inc();
    g.inc();
    g.dec();
    expect(await registry.metrics()).toMatch(/^in_flight 1$/m);
    expect(g.current).toBe(1);
  });
});
