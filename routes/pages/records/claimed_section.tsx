/**
 * `#claimed`: the researcher's claimed history beside the verified record (both normalised to 1.0 at their own
 * first date), with the tracking statistics over their common dates when there are enough of them.
 */
import { Bilingual } from "../layout.tsx";
import type { PerformanceView, TrackRecordView } from "./record_data.ts";
import { fmtFraction, fmtNumber } from "../format.ts";

const VERDICT_BADGE: Record<string, string> = {
  consistent: "good",
  moderate_divergence: "warn",
  significant_divergence: "bad",
};

/** The claimed block, or a note that there is none. */
export function ClaimedSection(props: { record: TrackRecordView; perf: PerformanceView }) {
  const claimed = props.record.claimed;
  const m = props.perf.metrics;
  if (!claimed) {
    return (
      <section class="card" id="claimed" aria-labelledby="claimed-title">
        <h2 id="claimed-title">
          <Bilingual en="Claimed vs verified" zh="声称与验证" />
        </h2>
        <p class="muted">The author has not uploaded a claimed history for this strategy.</p>
      </section>
    );
  }
  const meta = claimed.meta;
  const t = claimed.tracking;
  return (
    <section class="card" id="claimed" aria-labelledby="claimed-title">
      <h2 id="claimed-title">
        <Bilingual en="Claimed vs verified" zh="声称与验证" />
      </h2>
      <div class="chart" id="claimed-chart" role="img" aria-label="Claimed and verified NAV, each from 1.0">
      </div>
      <div class="table-wrap">
        <table id="claimed-table">
          <thead>
            <tr>
              <th scope="col">History</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Points</th>
              <th scope="col">Total return</th>
              <th scope="col">Sharpe</th>
              <th scope="col">Max drawdown</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Claimed 声称</th>
              <td>{meta.start_date ?? "—"}</td>
              <td>{meta.end_date ?? "—"}</td>
              <td class="num">{String(meta.data_points)}</td>
              <td class="num">{fmtFraction(meta.total_return)}</td>
              <td class="num">{fmtNumber(meta.sharpe)}</td>
              <td class="num">{fmtFraction(meta.max_drawdown)}</td>
            </tr>
            <tr>
              <th scope="row">Verified 已验证</th>
              <td>{props.record.records[0]?.date ?? "—"}</td>
              <td>{props.record.records.at(-1)?.date ?? "—"}</td>
              <td class="num">{String(m.trading_days)}</td>
              <td class="num">{fmtFraction(m.total_return)}</td>
              <td class="num">{fmtNumber(m.sharpe)}</td>
              <td class="num">{fmtFraction(m.max_drawdown)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <h3>Tracking 跟踪</h3>
      {t
        ? (
          <dl class="metrics" id="tracking">
            <div>
              <dt>Verdict</dt>
              <dd>
                <span class={`badge ${VERDICT_BADGE[t.verdict] ?? ""}`}>{t.verdict.replace(/_/g, " ")}</span>
              </dd>
            </div>
            <div>
              <dt>Common dates</dt>
              <dd>{String(t.overlap_days)}</dd>
            </div>
            <div>
              <dt>Tracking difference (annualised)</dt>
              <dd>{fmtFraction(t.tracking_diff_annualized)}</dd>
            </div>
            <div>
              <dt>Tracking error (annualised)</dt>
              <dd>{fmtFraction(t.tracking_error_annualized)}</dd>
            </div>
            <div>
              <dt>Correlation</dt>
              <dd>{fmtNumber(t.correlation, 3)}</dd>
            </div>
          </dl>
        )
        : <p class="muted" id="tracking">{claimed.tracking_note ?? "No tracking statistics."}</p>}
      <p class="muted">Uploaded {meta.uploaded_at}. {props.record.conventions.claimed}.</p>
    </section>
  );
}
