/**
 * The list of the signed-in user's backtests (document 001's dashboard list): the queued jobs in every state with
 * dates, capital, final value, return and trades, newest first, one page at a time with newer/older links and a
 * status filter; and the recorded synchronous runs of the dashboard list.
 */
import type { DashboardBacktestSummary } from "../../../domain/backtest/dashboard_views.ts";
import { JOB_STATUSES, type JobSummaryView } from "../../../domain/backtest/job_views.ts";
import type { Page } from "../../../domain/store/kv.ts";
import { fmtNumber, fmtPct, fmtTime, numClass } from "../format.ts";
import { Pager } from "../paging.tsx";
import { STATUS_BADGE } from "./job_state.tsx";

/** Rows of one page of the list. */
export const LIST_PAGE_SIZE = 50;

function StatusFilter(props: { status?: string }) {
  return (
    <form method="get" action="/app/backtests" class="row" id="backtests-filter">
      <div>
        <label for="status-filter">Status 状态</label>
        <select id="status-filter" name="status">
          <option value="" selected={!props.status}>All</option>
          {JOB_STATUSES.map((s) => <option key={s} value={s} selected={props.status === s}>{s}</option>)}
        </select>
      </div>
      <button type="submit" class="secondary">Filter 筛选</button>
    </form>
  );
}

/** The jobs table with its pager. */
export function JobList(props: { page: Page<JobSummaryView>; status?: string; offset: number; url: string }) {
  const { page, status, offset } = props;
  const items = page.items;
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">
        Backtest jobs <span class="zh" lang="zh-Hans">回测任务</span>
      </h2>
      <StatusFilter status={status} />
      <p class="muted" role="status">
        {page.total === 0
          ? "No backtests yet."
          : `Showing ${Math.min(offset + 1, page.total)}–${
            offset + items.length
          } of ${page.total}, newest first.`}
      </p>
      <div class="table-wrap">
        <table id="backtests-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Start</th>
              <th scope="col">End</th>
              <th scope="col" class="num">Initial capital</th>
              <th scope="col" class="num">Final value</th>
              <th scope="col" class="num">Total return</th>
              <th scope="col" class="num">Trades</th>
              <th scope="col">Submitted</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0
              ? (
                <tr>
                  <td colspan={9}>
                    No backtests{status ? ` with status ${status}` : ""}.{" "}
                    <a href="/app/build">Build a strategy</a> and run it.
                  </td>
                </tr>
              )
              : items.map((j) => (
                <tr key={j.id} data-job-id={j.id}>
                  <td>
                    <a href={`/app/backtests/${encodeURIComponent(j.id)}`}>{j.name}</a>
                  </td>
                  <td>
                    <span class={`badge ${STATUS_BADGE[j.status] ?? ""}`}>{j.status}</span>
                  </td>
                  <td>{j.start_date}</td>
                  <td>{j.end_date}</td>
                  <td class="num">{fmtNumber(j.initial_capital)}</td>
                  <td class="num">{fmtNumber(j.final_value)}</td>
                  <td class={numClass(j.total_return_pct)}>{fmtPct(j.total_return_pct)}</td>
                  <td class="num">{j.total_trades === null ? "—" : String(j.total_trades)}</td>
                  <td>{fmtTime(j.created_at)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <Pager
        url={props.url}
        offset={offset}
        limit={LIST_PAGE_SIZE}
        total={page.total}
        label="Pages of backtests"
        count={false}
      />
    </section>
  );
}

/** The recorded synchronous runs (they have no job page: their detail is `GET /api/backtests/{id}`). */
export function SyncRunList(
  props: { runs: DashboardBacktestSummary[]; offset: number; pageSize: number; more: boolean },
) {
  const { runs, offset, pageSize, more } = props;
  if (runs.length === 0 && offset === 0) return null;
  const runsHref = (o: number) =>
    o > 0 ? `/app/backtests?runs_offset=${o}#runs-heading` : "/app/backtests#runs-heading";
  return (
    <section aria-labelledby="runs-heading">
      <h2 id="runs-heading">
        Synchronous runs <span class="zh" lang="zh-Hans">同步回测</span>
      </h2>
      <p class="muted">
        Runs answered at once (the chat's Run Backtest, <code>/run_backtest</code>,{" "}
        <code>/api/v1/backtests/run</code>), newest first; the API keeps their detail at{" "}
        <code>GET /api/backtests/&#123;id&#125;</code>.
      </p>
      <div class="table-wrap">
        <table id="runs-table">
          <thead>
            <tr>
              <th scope="col" class="num">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Start</th>
              <th scope="col">End</th>
              <th scope="col" class="num">Initial capital</th>
              <th scope="col" class="num">Final value</th>
              <th scope="col" class="num">Total return</th>
              <th scope="col" class="num">Trades</th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 && (
              <tr>
                <td colspan={9}>No runs this far back.</td>
              </tr>
            )}
            {runs.map((r) => (
              <tr key={r.run_id}>
                <td class="num">{r.id}</td>
                <td>{r.name}</td>
                <td>{r.start_date.slice(0, 10)}</td>
                <td>{r.end_date.slice(0, 10)}</td>
                <td class="num">{fmtNumber(r.initial_capital)}</td>
                <td class="num">{fmtNumber(r.final_value)}</td>
                <td class={numClass(r.total_return_pct)}>{fmtPct(r.total_return_pct)}</td>
                <td class="num">{r.total_trades}</td>
                <td>{fmtTime(r.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Pages of synchronous runs" class="row" id="runs-pager">
        {offset > 0 ? <a href={runsHref(Math.max(0, offset - pageSize))} rel="prev">← Newer runs</a> : null}
        {more ? <a href={runsHref(offset + pageSize)} rel="next">Older runs →</a> : null}
      </nav>
    </section>
  );
}
