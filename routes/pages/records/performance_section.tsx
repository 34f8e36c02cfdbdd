/** `#performance`: the verified record's metrics with the conventions the API states beside them. */
import { Bilingual } from "../layout.tsx";
import type { PerformanceView } from "./record_data.ts";
import { fmtFraction, fmtNumber, signClass } from "../format.ts";

function Metric(props: { label: string; zh: string; value: string; cls?: string }) {
  return (
    <div>
      <dt>
        {props.label} <span class="zh" lang="zh-Hans">{props.zh}</span>
      </dt>
      <dd class={props.cls}>{props.value}</dd>
    </div>
  );
}

/** The metrics and their conventions. */
export function PerformanceSection(props: { perf: PerformanceView }) {
  const m = props.perf.metrics;
  const conv = props.perf.conventions;
  return (
    <section class="card" id="performance" aria-labelledby="performance-title">
      <h2 id="performance-title">
        <Bilingual en="Performance" zh="业绩指标" />
      </h2>
      <dl class="metrics">
        <Metric
          label="Total return"
          zh="总收益"
          value={fmtFraction(m.total_return)}
          cls={signClass(m.total_return)}
        />
        <Metric
          label="Annual return"
          zh="年化收益"
          value={fmtFraction(m.annual_return)}
          cls={signClass(m.annual_return)}
        />
        <Metric label="Volatility" zh="波动率" value={fmtFraction(m.volatility)} />
        <Metric label="Sharpe" zh="夏普比率" value={fmtNumber(m.sharpe)} />
        <Metric label="Max drawdown" zh="最大回撤" value={fmtFraction(m.max_drawdown)} />
        <Metric label="Calmar" zh="卡玛比率" value={fmtNumber(m.calmar)} />
        <Metric label="Benchmark return" zh="基准收益" value={fmtFraction(m.benchmark_return)} />
        <Metric
          label="Excess return"
          zh="超额收益"
          value={fmtFraction(m.excess_return)}
          cls={signClass(m.excess_return)}
        />
        <Metric label="Excess Sharpe" zh="超额夏普" value={fmtNumber(m.excess_sharpe)} />
        <Metric label="Trading days" zh="交易日" value={String(m.trading_days)} />
        <Metric label="Benchmark days missing" zh="基准缺失" value={String(m.benchmark_missing_days)} />
      </dl>
      <details>
        <summary>How these are computed 计算口径</summary>
        <ul id="conventions">
          <li>Returns: {conv.returns}.</li>
          <li>
            Annualisation: {String(conv.periods_per_year)} trading days a year; standard deviation with ddof
            {" "}
            {String(conv.std_ddof)}; risk-free rate {String(conv.risk_free_rate)}.
          </li>
          <li>Sharpe: {conv.sharpe}.</li>
          <li>Annual return: {conv.annual_return}.</li>
          <li>Max drawdown: {conv.max_drawdown}.</li>
          <li>Benchmark: {conv.benchmark}.</li>
          <li>Excess return: {conv.excess_return}; excess Sharpe: {conv.excess_sharpe}.</li>
          <li>Calmar: {conv.calmar}.</li>
          <li>Rolling excess Sharpe: {conv.rolling_excess_sharpe}.</li>
          <li>Units: {conv.units}.</li>
        </ul>
      </details>
    </section>
  );
}
