/**
 * `/app/factors/:id`: the factor's metrics, the validation checks (pass/fail), the IC statistics table, the daily
 * IC chart, the long-short cumulative return chart and the yearly table, from the factor detail the API answers.
 */
import { Bilingual } from "../layout.tsx";
import type { FactorDetailView } from "../../../domain/factors/factor_views.ts";
import { fmtFraction, fmtNumber, fmtTime } from "../format.ts";
import { StatusBadge } from "../tracked/page_helpers.tsx";

function Metric(props: { label: string; value: string; id?: string }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd id={props.id}>{props.value}</dd>
    </div>
  );
}

function Summary(props: { f: FactorDetailView }) {
  const f = props.f;
  return (
    <section class="card" aria-labelledby="factor-h">
      <h2 id="factor-h">
        <Bilingual en="Factor" zh="因子" />
      </h2>
      {f.description ? <p>{f.description}</p> : null}
      <dl class="metrics">
        <div>
          <dt>Status</dt>
          <dd id="factor-status">
            <StatusBadge status={f.status} />
          </dd>
        </div>
        <Metric label="Universe" value={f.universe} />
        <Metric label="Values" value={`${f.values_source}, ${f.values.total_days} trading days`} />
        <Metric label="Span" value={`${f.values.start_date ?? "—"} → ${f.values.end_date ?? "—"}`} />
        <Metric label="Turnover" value={fmtNumber(f.is.turnover, 4)} />
        <Metric label="Long-short Sharpe" value={fmtNumber(f.is.sharpe, 2)} />
        <Metric label="Fitness" value={fmtNumber(f.is.fitness, 3)} />
        <Metric label="Coverage" value={fmtFraction(f.is.coverage)} />
        <Metric label="Annualised long-short" value={fmtFraction(f.is.annualised_return)} />
        <Metric label="Validated" value={fmtTime(f.validated_at)} />
      </dl>
      {f.expression
        ? (
          <p>
            Expression: <code>{f.expression}</code>
          </p>
        )
        : null}
      {f.reject_reason ? <p class="error" id="reject-reason">Rejected: {f.reject_reason}</p> : null}
      {f.status === "ready" || f.status === "rejected"
        ? (
          <p>
            <button type="button" id="factor-submit">Validate now 提交验证</button>
          </p>
        )
        : null}
      {f.status === "draft"
        ? (
          <p class="muted">
            Upload at least 120 trading days of values (<code>POST /api/v1/factors/{f.id}/values</code>) to
            make it ready for validation.
          </p>
        )
        : null}
      <div id="factor-submit-result" aria-live="polite"></div>
    </section>
  );
}

function Checks(props: { f: FactorDetailView }) {
  const checks = props.f.checks;
  return (
    <section class="card" aria-labelledby="checks-h">
      <h2 id="checks-h">
        <Bilingual en="Validation checks" zh="验证检查" />
      </h2>
      {checks === null ? <p class="muted" id="checks">Not validated yet.</p> : (
        <ul class="checks" id="checks">
          {checks.map((c) => (
            <li data-check={c.name} data-passed={String(c.passed)}>
              <span class={`badge ${c.passed ? "good" : "bad"}`}>{c.passed ? "pass" : "fail"}</span> {c.name}:
              {" "}
              {c.metric} = {c.metric === "data_days" ? String(c.value ?? "—") : fmtNumber(c.value, 4)}{" "}
              (threshold {c.threshold})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function IcTable(props: { f: FactorDetailView }) {
  const f = props.f;
  const rows: [string, string, string][] = [
    ["IC mean", fmtNumber(f.is.ic_mean, 4), fmtNumber(f.claimed.ic_mean, 4)],
    ["IC std", fmtNumber(f.is.ic_std, 4), "—"],
    ["IC IR", fmtNumber(f.is.ic_ir, 3), fmtNumber(f.claimed.ic_ir, 3)],
    ["Days with an IC", f.is.ic_days === null ? "—" : String(f.is.ic_days), "—"],
    ...(f.is.ic_decay ?? []).map((
      v,
      i,
    ): [string, string, string] => [`IC at lag ${i + 1}`, fmtNumber(v, 4), "—"]),
    ["Out-of-sample IC, 30 days", fmtNumber(f.os.ic_mean_30d, 4), "—"],
    ["Out-of-sample IC, 60 days", fmtNumber(f.os.ic_mean_60d, 4), "—"],
    ["Out-of-sample IC, 120 days", fmtNumber(f.os.ic_mean_120d, 4), "—"],
  ];
  return (
    <div class="table-wrap">
      <table id="ic-table">
        <caption>Information coefficient (Spearman rank IC)</caption>
        <thead>
          <tr>
            <th scope="col">Statistic</th>
            <th scope="col" class="num">Measured</th>
            <th scope="col" class="num">Claimed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, v, c]) => (
            <tr>
              <th scope="row">{k}</th>
              <td class="num">{v}</td>
              <td class="num">{c}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function YearlyTable(props: { f: FactorDetailView }) {
  const years = props.f.yearly_stats ?? [];
  if (years.length === 0) {
    return <p class="muted" id="yearly-table">No yearly statistics before validation.</p>;
  }
  return (
    <div class="table-wrap">
      <table id="yearly-table">
        <caption>By calendar year</caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            <th scope="col" class="num">IC mean</th>
            <th scope="col" class="num">IC IR</th>
            <th scope="col" class="num">Long-short return</th>
            <th scope="col" class="num">Drawdown</th>
            <th scope="col" class="num">Turnover</th>
            <th scope="col" class="num">Days</th>
          </tr>
        </thead>
        <tbody>
          {years.map((y) => (
            <tr data-year={String(y.year)}>
              <th scope="row">{y.year}</th>
              <td class="num">{fmtNumber(y.ic_mean, 4)}</td>
              <td class="num">{fmtNumber(y.ic_ir, 3)}</td>
              <td class={`num ${(y.returns ?? 0) >= 0 ? "pos" : "neg"}`}>{fmtFraction(y.returns)}</td>
              <td class="num">{fmtFraction(y.drawdown)}</td>
              <td class="num">{fmtNumber(y.turnover, 4)}</td>
              <td class="num">{y.days}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The page body. */
export function FactorDetail(props: { f: FactorDetailView }) {
  const f = props.f;
  const ic = f.ic_series;
  const ls = f.ls_cumulative_returns;
  const positive = ic.filter((p) => p.ic > 0).length;
  const last = ls.at(-1);
  return (
    <>
      <p>
        <a href="/app/factors">← My factors</a> · <a href="/app/portfolios">Portfolios</a>
      </p>
      <div class="cards">
        <Summary f={f} />
        <Checks f={f} />
      </div>
      <section class="card" aria-labelledby="ic-h">
        <h2 id="ic-h">
          <Bilingual en="IC series" zh="IC 序列" />
        </h2>
        <IcTable f={f} />
        <div class="chart" id="ic-chart" role="img" aria-label="Daily rank IC, one bar per trading day"></div>
        <p class="muted" id="ic-chart-summary">
          {ic.length === 0
            ? "No IC series before validation."
            : `${ic.length} days from ${ic[0].date} to ${
              ic.at(-1)!.date
            }; the IC was positive on ${positive} of them.`}
        </p>
      </section>
      <section class="card" aria-labelledby="ls-h">
        <h2 id="ls-h">
          <Bilingual en="Long-short cumulative return" zh="多空累计收益" />
        </h2>
        <div
          class="chart"
          id="ls-chart"
          role="img"
          aria-label="Growth of 1 invested in the long-short portfolio (top minus bottom quintile)"
        >
        </div>
        <p class="muted" id="ls-chart-summary">
          {last
            ? `From ${ls[0].date} to ${last.date}: 1 invested long-short grew to ${
              fmtNumber(last.cumulative, 4)
            }.`
            : "No long-short returns before validation."}
        </p>
        <YearlyTable f={f} />
      </section>
      <details class="card">
        <summary>How these numbers are computed</summary>
        <dl>
          {Object.entries(f.conventions).map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
      </details>
    </>
  );
}
