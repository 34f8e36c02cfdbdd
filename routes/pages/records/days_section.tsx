/**
 * `#days`: the settled days (newest first, a page at a time); selecting a day (a link, so it works without
 * JavaScript) shows that day's positions and trades from its `/verify` bundle in `#day-detail`.
 */
import { Bilingual } from "../layout.tsx";
import type { RecordModel, VerifyDayView } from "./record_data.ts";
import { Pager } from "../paging.tsx";
import { DAYS_PER_PAGE, type RecordSelection } from "./query.ts";
import { recordHref } from "./record_href.ts";
import { fmtFraction, fmtNumber, numClass, signClass } from "../format.ts";

/** Most rows of a day's positions or trades shown (a signal holds at most 500 symbols). */
const MAX_DAY_ROWS = 500;

function Positions(props: { day: VerifyDayView }) {
  const rows = props.day.positions.slice(0, MAX_DAY_ROWS);
  if (rows.length === 0) return <p class="muted">No positions: all cash.</p>;
  return (
    <div class="table-wrap">
      <table id="day-positions">
        <caption>Positions at the close 收盘持仓</caption>
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Quantity</th>
            <th scope="col">Price</th>
            <th scope="col">Market value</th>
            <th scope="col">Weight</th>
            <th scope="col">Since</th>
            <th scope="col">Suspended</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr>
              <th scope="row">{p.symbol}</th>
              <td class="num">{fmtNumber(p.quantity, 0)}</td>
              <td class="num">{fmtNumber(p.price, 3)}</td>
              <td class="num">{fmtNumber(p.market_value)}</td>
              <td class="num">{fmtFraction(p.weight)}</td>
              <td>{p.entry_date}</td>
              <td>{p.suspended ? "yes" : "no"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Trades(props: { day: VerifyDayView }) {
  const rows = props.day.trades.slice(0, MAX_DAY_ROWS);
  if (rows.length === 0) return <p class="muted">No trades on this day.</p>;
  return (
    <div class="table-wrap">
      <table id="day-trades">
        <caption>Trades, in execution order 成交</caption>
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Action</th>
            <th scope="col">Quantity</th>
            <th scope="col">Price</th>
            <th scope="col">Fill price</th>
            <th scope="col">Notional</th>
            <th scope="col">Commission</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr>
              <th scope="row">{t.symbol}</th>
              <td>{t.action}</td>
              <td class="num">{fmtNumber(t.quantity, 0)}</td>
              <td class="num">{fmtNumber(t.price, 3)}</td>
              <td class="num">{fmtNumber(t.fill_price, 4)}</td>
              <td class="num">{fmtNumber(t.notional)}</td>
              <td class="num">{fmtNumber(t.commission)}</td>
              <td>{t.reason.replace(/_/g, " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The selected day: figures, positions, trades, dividends, the signal's hash. */
function DayDetail(props: { slug: string; day: VerifyDayView }) {
  const d = props.day;
  const api = `/api/v1/public/strategies/${encodeURIComponent(props.slug)}/verify?date=${d.date}`;
  return (
    <section id="day-detail" aria-labelledby="day-title" tabindex={-1}>
      <h3 id="day-title">
        {d.date} · {d.action}
      </h3>
      <dl class="metrics">
        <div>
          <dt>NAV</dt>
          <dd>{fmtNumber(d.nav)}</dd>
        </div>
        <div>
          <dt>Cash</dt>
          <dd>{fmtNumber(d.cash)}</dd>
        </div>
        <div>
          <dt>Daily return</dt>
          <dd class={signClass(d.daily_return) || undefined}>{fmtFraction(d.daily_return)}</dd>
        </div>
        <div>
          <dt>Σ positions + cash − NAV</dt>
          <dd>{fmtNumber(d.nav_check.difference, 6)}</dd>
        </div>
      </dl>
      <p class="muted">
        {d.signal
          ? (
            <>
              Signal <code style="overflow-wrap:anywhere">{d.signal.signal_hash}</code>, submitted{" "}
              {d.signal.submitted_at} (deadline {d.signal.deadline_at}).
            </>
          )
          : "No signal on this day (a hold day)."} <a href={api}>Verification bundle (JSON)</a>
      </p>
      <Positions day={d} />
      <Trades day={d} />
      {d.dividends.length
        ? (
          <p>
            Dividends credited: {d.dividends.map((x) => `${x.symbol} ${fmtNumber(x.cash)}`).join(", ")}
          </p>
        )
        : null}
    </section>
  );
}

/** The days table and the selected day. */
export function DaysSection(props: { slug: string; model: RecordModel; sel: RecordSelection }) {
  const { slug, model, sel } = props;
  const total = model.record.records.length;
  return (
    <section class="card" id="days" aria-labelledby="days-title">
      <h2 id="days-title">
        <Bilingual en="Days: positions and trades" zh="每日持仓与成交" />
      </h2>
      {model.day
        ? <DayDetail slug={slug} day={model.day} />
        : <p class="muted" id="day-detail">Choose a day to see its positions and trades.</p>}
      <p class="muted">
        {total === 0
          ? "No settled days yet."
          : `Settled days ${sel.days_offset + 1}–${
            sel.days_offset + model.days.length
          } of ${total}, newest first.`}
      </p>
      <div class="table-wrap">
        <table id="days-table">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">NAV (from 1.0)</th>
              <th scope="col">NAV value</th>
              <th scope="col">Daily return</th>
              <th scope="col">Benchmark</th>
              <th scope="col">Positions and trades</th>
            </tr>
          </thead>
          <tbody>
            {model.days.map((r) => (
              <tr aria-current={model.day?.date === r.date ? "true" : undefined}>
                <th scope="row">{r.date}{r.provisional ? " (provisional)" : ""}</th>
                <td class="num">{fmtNumber(r.nav, 4)}</td>
                <td class="num">{fmtNumber(r.nav_value)}</td>
                <td class={numClass(r.daily_return)}>{fmtFraction(r.daily_return)}</td>
                <td class="num">{fmtFraction(r.benchmark_return)}</td>
                <td>
                  <a href={recordHref(slug, { ...sel, day: r.date }, "day-detail")}>Show {r.date}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        url={recordHref(slug, sel)}
        param="days_offset"
        fragment="days"
        offset={sel.days_offset}
        limit={DAYS_PER_PAGE}
        total={total}
        label="Pages of days"
        count={false}
      />
    </section>
  );
}
