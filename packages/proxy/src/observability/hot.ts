import { Counter, Gauge, type Registry } from "prom-client";

/**
 * Metrics for the data plane's hot path. prom-client hashes and validates a label object on every
 * `inc` and `observe` (2–3 µs a request for the gateway's seven calls). Here a series is found by
 * its label values joined, in a Map, and its numbers are plain fields; prom-client sees the totals
 * only when it is scraped (a `collect` hook, or an object registered as a histogram). The series
 * and names are the same as with prom-client's own types; only where the counting happens moves.
 */

type Labels<N extends string> = Partial<Record<N, string>>;

/** The Map key of a label set: its values in the metric's label order. */
function keyOf<N extends string>(names: readonly N[], labels: Labels<N>): string {
  if (names.length === 1) return labels[names[0] as N] ?? "";
  let key = "";
  for (const n of names) key += (labels[n] ?? "") + "\u0000";
  return key;
}

/** Copies only the metric's own label names: a series keeps no reference to the caller's object. */
function own<N extends string>(names: readonly N[], labels: Labels<N>): Labels<N> {
  const out: Labels<N> = {};
  for (const n of names) if (labels[n] !== undefined) out[n] = String(labels[n]);
  return out;
}

interface Config<N extends string> {
  name: string;
  help: string;
  labelNames?: readonly N[];
  registers: Registry[];
}

/** A labelled counter: `inc` adds to a number, prom-client's counter of the same name is filled at scrape time. */
export class HotCounter<N extends string = string> {
  private readonly series = new Map<string, { labels: Labels<N>; value: number }>();
  private readonly names: readonly N[];
  private readonly name: string;
  /** The prom-client counter the registry scrapes (its `get()` gives the totals). */
  readonly metric: Counter<N>;

  constructor(config: Config<N>) {
    const names = (this.names = config.labelNames ?? []);
    this.name = config.name;
    const series = this.series;
    this.metric = new Counter<N>({
      name: config.name,
      help: config.help,
      labelNames: names,
      registers: config.registers,
      collect() {
        this.reset();
        for (const s of series.values()) this.inc(s.labels, s.value);
      },
    });
  }

  inc(labels: Labels<N> = {}, value = 1): void {
    if (!(value >= 0) || value === Infinity) throw new TypeError(`${this.name}: a counter only grows by a finite amount, got ${value}`);
    const key = keyOf(this.names, labels);
    const s = this.series.get(key);
    if (s) s.value += value;
    else this.series.set(key, { labels: own(this.names, labels), value });
  }

  get(): ReturnType<Counter<N>["get"]> {
    return this.metric.get();
  }
}

/** An unlabelled gauge moved by `inc`/`dec`, read at scrape time. */
export class HotGauge {
  private value = 0;

  constructor(config: Omit<Config<never>, "labelNames">) {
    const read = () => this.value;
    new Gauge({
      ...config,
      collect() {
        this.set(read());
      },
    });
  }

  inc(): void {
    this.value++;
  }

  dec(): void {
    this.value--;
  }

  /** The current value (what a scrape reads). */
  get current(): number {
    return this.value;
  }
}

/** One exported sample, as prom-client's registry reads them. */
interface Sample {
  labels: Partial<Record<string, string | number>>;
  value: number;
  metricName: string;
}

interface HistogramSeries<N extends string> {
  labels: Labels<N>;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A labelled histogram with fixed buckets, registered in the registry as a metric object of its
 * own; prom-client formats it as it formats its `Histogram` (`_bucket{le}`, `_sum`, `_count`).
 */
export class HotHistogram<N extends string = string> {
  private readonly series = new Map<string, HistogramSeries<N>>();
  private readonly names: readonly N[];
  readonly name: string;
  readonly help: string;
  readonly type = "histogram" as const;
  readonly aggregator = "sum" as const;

  constructor(
    config: Config<N>,
    private readonly buckets: readonly number[],
  ) {
    this.name = config.name;
    this.help = config.help;
    this.names = config.labelNames ?? [];
    // The registry needs only name, help, type, aggregator and get(): the shape of prom-client's own metrics.
    for (const r of config.registers) r.registerMetric(this as never);
  }

  observe(labels: Labels<N>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite number: ${value}`);
    const key = keyOf(this.names, labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: own(this.names, labels), counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < this.buckets.length && value > (this.buckets[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
  }

  async get(): Promise<{ name: string; help: string; type: "histogram"; values: Sample[]; aggregator: "sum" }> {
    const values: Sample[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
