/**
 * The chart panels of a record page: NAV against the benchmark, drawdown, rolling excess Sharpe. Each is a
 * `div.chart` the page script fills from `pageData` (points computed on the server), with a text summary for
 * screen readers and for a browser without JavaScript.
 */
import { Bilingual } from "../layout.tsx";
import type { RecordCharts } from "./record_data.ts";
import { fmtFraction, fmtNumber } from "../format.ts";

const last = <T,>(xs: T[]): T | undefined => xs[xs.length - 1];

/** NAV, drawdown and rolling excess Sharpe. */
export function RecordChartPanels(props: { charts: RecordCharts; rollingWindow: number }) {
  const c = props.charts;
  const nav = last(c.nav), bench = last(c.benchmark_nav);
  const worst = c.drawdown.reduce((m, p) => Math.min(m, p.value), 0);
  const rolling = last(c.rolling);
  return (
    <div class="cards">
      <section class="card" aria-labelledby="nav-title">
        <h2 id="nav-title">NAV against {c.benchmark} 净值与基准</h2>
        <div
          class="chart"
          id="nav-chart"
          role="img"
          aria-label={`NAV of ${c.name} and its benchmark, both from 1.0`}
        >
        </div>
        <p class="muted" id="nav-summary">
          {nav && bench
            ? `Both start at 1.0. On ${nav.time}: NAV ${fmtNumber(nav.value, 4)}, benchmark ${
              fmtNumber(bench.value, 4)
            }.`
            : "No settled days yet."}
        </p>
      </section>
      <section class="card" aria-labelledby="dd-title">
        <h2 id="dd-title">
          <Bilingual en="Drawdown" zh="回撤" />
        </h2>
        <div
          class="chart"
          id="drawdown-chart"
          role="img"
          aria-label="Drawdown below the running peak, percent"
        >
        </div>
        <p class="muted">
          {c.drawdown.length
            ? `Deepest drawdown ${fmtFraction(worst / 100)} below the running peak.`
            : "No settled days yet."}
        </p>
      </section>
      <section class="card" aria-labelledby="rolling-title">
        <h2 id="rolling-title">
          <Bilingual en="Rolling excess Sharpe" zh="滚动超额夏普" />
        </h2>
        <div
          class="chart"
          id="rolling-chart"
          role="img"
          aria-label={`Excess Sharpe over windows of ${props.rollingWindow} daily excess returns`}
        >
        </div>
        <p class="muted">
          {rolling
            ? `Windows of ${props.rollingWindow} daily excess returns, dated by their last day; latest ${
              fmtNumber(rolling.value)
            } on ${rolling.time}.`
            : `None yet: the first window needs ${props.rollingWindow} trading days.`}
        </p>
      </section>
    </div>
  );
}
