/**
 * The body of `/app/records/:slug`: what the record is, its charts and metrics, the claimed history beside it,
 * the audit log, the days, live trades and the in-browser verification.
 */
import { Bilingual } from "../layout.tsx";
import type { RecordModel } from "./record_data.ts";
import type { RecordSelection } from "./query.ts";
import { RecordChartPanels } from "./record_charts.tsx";
import { PerformanceSection } from "./performance_section.tsx";
import { ClaimedSection } from "./claimed_section.tsx";
import { AuditSection } from "./audit_section.tsx";
import { DaysSection } from "./days_section.tsx";
import { fmtFraction, fmtNumber } from "../format.ts";
import { VerifyPanel } from "./verify_panel.tsx";

/** Facts and machine-readable links of a record. */
function About(props: { model: RecordModel }) {
  const { record, creator, status } = props.model;
  const p = record.parameters;
  const api = `/api/v1/public/strategies/${encodeURIComponent(record.strategy)}`;
  const log = record.is_demo ? "demo" : "production";
  return (
    <section class="card" id="about" aria-labelledby="about-title">
      <h2 id="about-title">
        <Bilingual en="About this record" zh="概况" />
      </h2>
      <p>
        <span class="badge">{status}</span> {record.is_demo
          ? <span class="badge warn">demo: replayed under a simulated clock, in the demo log</span>
          : null}
      </p>
      <dl class="metrics">
        <div>
          <dt>Author 作者</dt>
          <dd>{creator ?? "—"}</dd>
        </div>
        <div>
          <dt>Start 开始</dt>
          <dd>{p.start_date ?? "—"}</dd>
        </div>
        <div>
          <dt>Benchmark 基准</dt>
          <dd>{p.benchmark}</dd>
        </div>
        <div>
          <dt>Execution 成交价</dt>
          <dd>{p.execution_price}</dd>
        </div>
        <div>
          <dt>Holding period 持有期</dt>
          <dd>{String(p.holding_period)} days</dd>
        </div>
        <div>
          <dt>Initial capital 初始资金</dt>
          <dd>{fmtNumber(p.initial_capital, 0)}</dd>
        </div>
        <div>
          <dt>Costs 费用</dt>
          <dd>
            commission {fmtFraction(p.commission_rate, 3)}, slippage {fmtFraction(p.slippage_rate, 2)}
          </dd>
        </div>
        <div>
          <dt>Log 日志</dt>
          <dd>
            <code style="overflow-wrap:anywhere">{p.log_origin}</code>
          </dd>
        </div>
      </dl>
      <p>
        JSON: <a href={`${api}/track-record`}>track record</a> ·{" "}
        <a href={`${api}/performance`}>performance</a>
        {" · "}
        <a href={`${api}/verify`}>latest day</a> · <a href={`${api}/audit`}>audit</a> ·{" "}
        <a href={`/api/v1/public/log/checkpoint?log=${log}`}>log checkpoint</a>
      </p>
      <p class="muted">
        Check it yourself:{" "}
        <code style="overflow-wrap:anywhere">deno task verify &lt;this server&gt; {record.strategy}</code>
      </p>
    </section>
  );
}

/** Trades settled for this strategy while the page is open, from the public WebSocket `/ws`. */
function LiveTrades() {
  return (
    <section class="card" id="live-trades" aria-labelledby="live-title">
      <h2 id="live-title">
        <Bilingual en="Live trades" zh="实时成交" />
      </h2>
      <p class="muted" id="live-status" role="status">
        Trades settled while this page is open appear here (needs JavaScript).
      </p>
      <ul id="live-list" aria-live="polite"></ul>
    </section>
  );
}

/** The whole record page. */
export function RecordPage(props: { model: RecordModel; sel: RecordSelection }) {
  const { model, sel } = props;
  const slug = model.record.strategy;
  return (
    <>
      <About model={model} />
      <RecordChartPanels charts={model.charts} rollingWindow={model.perf.conventions.rolling_window_days} />
      <VerifyPanel slug={slug} />
      <PerformanceSection perf={model.perf} />
      <ClaimedSection record={model.record} perf={model.perf} />
      <DaysSection slug={slug} model={model} sel={sel} />
      <AuditSection slug={slug} audit={model.audit} sel={sel} />
      <LiveTrades />
    </>
  );
}
