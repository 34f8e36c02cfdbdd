/** The signal list of a tracked strategy (`#signals-table`) with a withdraw button per withdrawable signal. */
import type { SignalView } from "../../../domain/track_record/signals/signals.ts";
import { fmtTime } from "../format.ts";

/** Whether the API would accept a DELETE of `s` at `nowMs` (not settled, not on GitHub, before its deadline). */
function isWithdrawable(s: SignalView, nowMs: number): boolean {
  return !s.is_settled && !s.github_committed && nowMs < Date.parse(s.deadline_at);
}

/**
 * The table; every withdrawable signal has a `.signal-withdraw` button carrying its trade date, and the first of
 * them (the latest trade date) has the id `signal-withdraw`. `canWithdraw` is false for a portfolio's strategy.
 */
export function SignalsTable(props: { signals: SignalView[]; nowMs: number; canWithdraw: boolean }) {
  let firstWithdraw = true;
  return (
    <div class="table-wrap">
      <table id="signals-table">
        <caption class="muted">Newest trade date first</caption>
        <thead>
          <tr>
            <th scope="col">Trade date</th>
            <th scope="col">Weights</th>
            <th scope="col">Signal hash</th>
            <th scope="col">Log</th>
            <th scope="col">Settled</th>
            <th scope="col">GitHub</th>
            <th scope="col">Submitted</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody id="signals-body">
          {props.signals.length === 0
            ? (
              <tr>
                <td colspan={8} class="muted">No signals yet.</td>
              </tr>
            )
            : props.signals.map((s) => {
              const withdrawable = props.canWithdraw && isWithdrawable(s, props.nowMs);
              const id = withdrawable && firstWithdraw ? "signal-withdraw" : undefined;
              if (withdrawable) firstWithdraw = false;
              const total = s.signals.reduce((a, w) => a + w.weight, 0);
              return (
                <tr data-trade-date={s.trade_date}>
                  <td>
                    {s.trade_date}
                    {s.void ? <span class="badge bad">{s.void}</span> : null}
                  </td>
                  <td>
                    <details>
                      <summary>
                        {s.signals.length} symbols, {(total * 100).toFixed(2)}% invested
                      </summary>
                      <ul>
                        {s.signals.map((w) => <li key={w.symbol}>{w.symbol} {w.weight}</li>)}
                      </ul>
                    </details>
                  </td>
                  <td>
                    <code class="hash" title={s.signal_hash}>{s.signal_hash.slice(0, 16)}…</code>
                  </td>
                  <td>{s.log ? `leaf ${s.log.leaf_index} of ${s.log.tree_size}` : "pending"}</td>
                  <td>{s.is_settled ? "yes" : "no"}</td>
                  <td>{s.github_committed ? "committed" : "no"}</td>
                  <td>{fmtTime(s.submitted_at)}</td>
                  <td>
                    {withdrawable
                      ? (
                        <button
                          type="button"
                          class="secondary signal-withdraw"
                          id={id}
                          data-trade-date={s.trade_date}
                        >
                          Withdraw
                        </button>
                      )
                      : <span class="muted">locked</span>}
                  </td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}
