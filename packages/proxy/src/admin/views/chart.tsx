import type { ChartData, UsageRange } from "../series.js";

const COLORS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#6c757d"];
const W = 640;
const H = 200;
const PAD = { left: 44, right: 8, top: 10, bottom: 24 };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad2 = (n: number) => String(n).padStart(2, "0");

function bucketLabel(d: Date, range: UsageRange): string {
  return range === "24h" ? `${pad2(d.getUTCHours())}:00` : `${DAYS[d.getUTCDay()]} ${pad2(d.getUTCDate())}`;
}

/** A round axis maximum (1, 2, 5 × 10^n) at or above the tallest stack. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 4 });
const dollarsAxis = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact", maximumSignificantDigits: 2 });

/** Stacked bars per project, as inline SVG: no script, no library, readable without JavaScript. */
export function UsageChart(props: { id: string; title: string; data: ChartData; range: UsageRange; /** What "none" is called: "traffic", "cache hits" … */ empty: string; /** Values are USD. */ usd?: boolean }) {
  const { data, range } = props;
  const fmt = (v: number) => (props.usd ? dollars.format(v) : v.toLocaleString("en-US"));
  const n = data.starts.length;
  const stacks = data.starts.map((_, i) => data.series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...stacks));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / n;
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = range === "24h" ? 4 : 1;
  const rangeText = range === "24h" ? "the last 24 hours" : "the last 7 days";
  return (
    <figure class="card h-100 mb-0">
      <div class="card-body">
        <figcaption class="d-flex justify-content-between align-items-baseline mb-2">
          <h3 class="h6 mb-0" id={`${props.id}-title`}>
            {props.title}
          </h3>
          <span class="text-muted small">{fmt(data.total)} in total</span>
        </figcaption>
        <svg viewBox={`0 0 ${W} ${H}`} class="usage-chart w-100" role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`}>
          <desc id={`${props.id}-desc`}>{`${props.title} per project over ${rangeText} (UTC buckets): ${data.total} in total.`}</desc>
          {[0, 0.5, 1].map((f) => (
            <g>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} class="grid" />
              <text x={PAD.left - 6} y={y(max * f) + 4} text-anchor="end" class="axis">
                {(props.usd ? dollarsAxis : compact).format(max * f)}
              </text>
            </g>
          ))}
          {data.starts.map((start, i) => {
            let base = 0;
            return (
              <g>
                {data.series.map((s, si) => {
                  const v = s.values[i] ?? 0;
                  if (v === 0) return null;
                  const top = y(base + v);
                  const height = y(base) - top;
                  base += v;
                  return (
                    <rect x={PAD.left + i * bw + bw * 0.15} y={top} width={bw * 0.7} height={Math.max(height, 0.5)} fill={COLORS[si % COLORS.length]}>
                      <title>{`${s.name}: ${fmt(v)} (${bucketLabel(start, range)} UTC)`}</title>
                    </rect>
                  );
                })}
                {i % labelEvery === 0 ? (
                  <text x={PAD.left + i * bw + bw / 2} y={H - 6} text-anchor="middle" class="axis">
                    {bucketLabel(start, range)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
        {data.series.length === 0 ? (
          <p class="text-muted small mb-0">
            No {props.empty} in {rangeText}.
          </p>
        ) : (
          <ul class="list-inline small mb-0">
            {data.series.map((s, si) => (
              <li class="list-inline-item">
                <svg width="10" height="10" class="legend-swatch" aria-hidden="true">
                  <rect width="10" height="10" fill={COLORS[si % COLORS.length]} />
                </svg> {s.name}: {fmt(s.total)}
              </li>
            ))}
          </ul>
        )}
      </div>
    </figure>
  );
}
