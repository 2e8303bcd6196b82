const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 6 });

/** `$2.50`: an amount in USD as the pages show it. */
export const usdLabel = (usd: number) => dollars.format(usd);

/** Spend against a budget: the amounts, and a bar that turns red once the budget is reached. */
export function SpendMeter(props: { id: string; spent: number; budget: number | null; period: string }) {
  const { spent, budget } = props;
  if (budget === null) {
    return (
      <span id={props.id}>
        {dollars.format(spent)} <span class="text-muted small">{props.period}, no budget</span>
      </span>
    );
  }
  const share = budget === 0 ? 1 : spent / budget;
  const color = share >= 1 ? "bg-danger" : share >= 0.8 ? "bg-warning" : "bg-success";
  const percent = Math.round(share * 1000) / 10;
  return (
    <div id={props.id}>
      <span>
        {dollars.format(spent)} of {dollars.format(budget)} <span class="text-muted small">{props.period} ({percent}%)</span>
      </span>
      <div class="progress mt-1" style="height: 6px" role="progressbar" aria-label="Budget used" aria-valuenow={String(Math.min(percent, 100))} aria-valuemin="0" aria-valuemax="100">
        <div class={`progress-bar ${color}`} style={`width: ${Math.min(percent, 100)}%`} />
      </div>
    </div>
  );
}
