/**
 * `/app/tracked/:slug`: the strategy's settings and status actions, today's deadline countdown, the signal form,
 * the signal list and the claimed-history upload.
 */
import { Bilingual } from "../layout.tsx";
import type { ClaimedHistoryView } from "../../../domain/track_record/claimed_history.ts";
import type { SignalView } from "../../../domain/track_record/signals/signals.ts";
import type { TrackedStrategyView } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { countdownLead, formatRemaining, type SignalWindow } from "./deadline.ts";
import { fmtFraction, fmtTime } from "../format.ts";
import { PAGE_ROWS, StatusBadge } from "./page_helpers.tsx";
import { Pager } from "../paging.tsx";
import { SubmittedNotice, WithdrawnNotice } from "./signal_notice.tsx";
import { SignalsTable } from "./signals_table.tsx";

const WEIGHTS_EXAMPLE = "600519.SH 0.05\n000858.SZ 0.04";
const CSV_EXAMPLE = "date,nav\n2024-01-02,1000000\n2024-01-03,1005200.5";

/** Everything the page shows. */
export interface TrackedDetailProps {
  strategy: TrackedStrategyView;
  window: SignalWindow;
  signals: SignalView[];
  signalTotal: number;
  offset: number;
  /** The page's own URL (the signals pager keeps its other query parameters). */
  url: string;
  claimed: ClaimedHistoryView | null;
  /** The signal just submitted (`?submitted=`), read from the store. */
  submitted: SignalView | null;
  /** The trade date whose signal was just withdrawn (`?withdrawn=`), when it is gone. */
  withdrawn: string | null;
}

function Settings(props: { s: TrackedStrategyView }) {
  const s = props.s;
  return (
    <section class="card" aria-labelledby="settings-h">
      <h2 id="settings-h">
        <Bilingual en="Strategy" zh="策略" />
      </h2>
      {s.description ? <p>{s.description}</p> : null}
      <dl class="metrics">
        <div>
          <dt>Status</dt>
          <dd id="tracked-status">
            <StatusBadge status={s.status} />
          </dd>
        </div>
        <div>
          <dt>Benchmark</dt>
          <dd>{s.universe} ({s.benchmark})</dd>
        </div>
        <div>
          <dt>Execution</dt>
          <dd>{s.execution_price}</dd>
        </div>
        <div>
          <dt>Holding period</dt>
          <dd>{s.holding_period} days</dd>
        </div>
        <div>
          <dt>Initial capital</dt>
          <dd>{s.initial_capital.toLocaleString("en-US")}</dd>
        </div>
        <div>
          <dt>Costs</dt>
          <dd>commission {s.commission_rate}, slippage {s.slippage_rate}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{s.start_date ?? "—"}</dd>
        </div>
        <div>
          <dt>Public</dt>
          <dd id="tracked-public">{s.is_public ? "yes" : "no"}</dd>
        </div>
      </dl>
      {s.is_public
        ? (
          <p>
            Public record:{" "}
            <a id="public-record-link" href={`/app/records/${encodeURIComponent(s.slug)}`}>
              /app/records/{s.slug}
            </a>
          </p>
        )
        : <p class="muted">This strategy is private: its record page is not listed.</p>}
      <StatusActions s={s} />
    </section>
  );
}

/** The transitions the API allows from the current status (pending→retired; active→paused|retired; paused→…). */
function StatusActions(props: { s: TrackedStrategyView }) {
  const s = props.s;
  if (s.managed_by) {
    return (
      <p class="muted">
        This strategy belongs to{" "}
        <a href={`/app/portfolios/${encodeURIComponent(s.managed_by)}`}>a portfolio</a>:{" "}
        its signals and status are the platform's.
      </p>
    );
  }
  return (
    <div>
      <div class="row" role="group" aria-label="Status actions">
        {s.status === "active"
          ? <button type="button" id="status-pause" class="secondary">Pause</button>
          : null}
        {s.status === "paused" ? <button type="button" id="status-resume">Resume</button> : null}
        {s.status !== "retired"
          ? <button type="button" id="status-retire" class="danger">Retire (final)</button>
          : null}
        {s.status !== "retired"
          ? (
            <button type="button" id="visibility-toggle" class="secondary" data-public={String(s.is_public)}>
              {s.is_public ? "Make private" : "Make public"}
            </button>
          )
          : null}
      </div>
      <div id="status-result" aria-live="polite"></div>
    </div>
  );
}

function Countdown(props: { w: SignalWindow }) {
  return (
    <section class="card" aria-labelledby="deadline-h">
      <h2 id="deadline-h">
        <Bilingual en="Today's deadline" zh="今日截止时间" />
      </h2>
      <p id="deadline-countdown" role="timer">
        <span id="deadline-lead">{countdownLead(props.w)}</span>{" "}
        <span id="deadline-remaining">{formatRemaining(props.w.deadlineMs - props.w.nowMs)}</span> left.
      </p>
      <p id="deadline-passed" role="status" aria-live="polite"></p>
      <p class="muted">
        Deadlines are judged by the server's receive time in Asia/Shanghai (CST, UTC+8), with no grace period.
      </p>
    </section>
  );
}

function SignalForm(props: { s: TrackedStrategyView; w: SignalWindow; submitted: SignalView | null }) {
  const open = props.s.status === "pending" || props.s.status === "active";
  if (props.s.managed_by) return null;
  return (
    <form id="signal-form" class="card" novalidate>
      <h2>
        <Bilingual en="Submit or replace a signal" zh="提交信号" />
      </h2>
      {open ? null : (
        <p class="warn" id="signal-closed">
          A {props.s.status}{" "}
          strategy takes no signals{props.s.status === "paused" ? ": resume it first" : ""}.
        </p>
      )}
      <div class="field">
        <label for="signal-trade-date">Trade date 交易日</label>
        <input id="signal-trade-date" name="trade_date" type="date" required value={props.w.tradeDate} />
        <p class="error field-error" id="signal-trade_date-error" role="alert" hidden></p>
      </div>
      <div class="field">
        <label for="signal-weights">Target weights 目标权重</label>
        <textarea
          id="signal-weights"
          name="signals"
          rows={6}
          aria-describedby="signal-weights-hint"
          placeholder={WEIGHTS_EXAMPLE}
        >
        </textarea>
        <small id="signal-weights-hint" class="muted">
          One <code>symbol weight</code>{" "}
          per line (or comma-separated); each weight in (0, 1], summing to at most 1 (the rest is cash). An
          empty list means all cash. A second submission for the same day before its deadline replaces the
          first.
        </small>
        <p class="error field-error" id="signal-signals-error" role="alert" hidden></p>
      </div>
      <p>
        <button type="submit" id="signal-submit" disabled={!open}>Submit signal</button>
      </p>
      <div id="signal-result" aria-live="polite">
        {props.submitted ? <SubmittedNotice s={props.submitted} /> : null}
      </div>
    </form>
  );
}

function ClaimedSummary(props: { c: ClaimedHistoryView | null }) {
  const c = props.c;
  if (!c) return <p class="muted" id="claimed-none">No claimed history uploaded.</p>;
  return (
    <dl class="metrics" id="claimed-summary">
      <div>
        <dt>Data points</dt>
        <dd>{c.data_points}</dd>
      </div>
      <div>
        <dt>Period</dt>
        <dd>{c.start_date ?? "—"} → {c.end_date ?? "—"}</dd>
      </div>
      <div>
        <dt>Total return</dt>
        <dd>{fmtFraction(c.total_return)}</dd>
      </div>
      <div>
        <dt>Sharpe</dt>
        <dd>{c.sharpe === null ? "—" : c.sharpe.toFixed(2)}</dd>
      </div>
      <div>
        <dt>Max drawdown</dt>
        <dd>{fmtFraction(c.max_drawdown)}</dd>
      </div>
      <div>
        <dt>Uploaded</dt>
        <dd>{fmtTime(c.uploaded_at)}</dd>
      </div>
    </dl>
  );
}

function ClaimedUpload(props: { s: TrackedStrategyView; claimed: ClaimedHistoryView | null }) {
  const allowed = props.s.status === "active" || props.s.status === "paused";
  return (
    <section class="card" aria-labelledby="claimed-h">
      <h2 id="claimed-h">
        <Bilingual en="Claimed history" zh="历史业绩" />
      </h2>
      <p class="muted">
        Your claimed NAV (ideally out-of-sample paper trading), compared with the platform's own record on
        their common dates. Tracking statistics appear once at least 5 dates overlap.
      </p>
      <div id="claimed-current">
        <ClaimedSummary c={props.claimed} />
      </div>
      <form id="claimed-upload" novalidate>
        {allowed ? null : (
          <p class="warn" id="claimed-needs-active">
            Uploads need an active or paused strategy{props.s.status === "pending"
              ? ": submit a first signal to activate it"
              : ""}.
          </p>
        )}
        <div class="field">
          <label for="claimed-file">CSV file 文件</label>
          <input id="claimed-file" type="file" accept=".csv,text/csv,text/plain" />
        </div>
        <div class="field">
          <label for="claimed-csv">Or paste CSV (date,nav) 粘贴</label>
          <textarea
            id="claimed-csv"
            rows={6}
            aria-describedby="claimed-csv-hint"
            placeholder={CSV_EXAMPLE}
          >
          </textarea>
          <small id="claimed-csv-hint" class="muted">
            2–5000 rows, dates ascending, none in the future, NAV positive. A header row is optional.
          </small>
          <p class="error field-error" id="claimed-records-error" role="alert" hidden></p>
        </div>
        <p>
          <button type="submit" id="claimed-submit" disabled={!allowed}>Upload claimed history</button>
        </p>
        <div id="claimed-result" aria-live="polite"></div>
      </form>
    </section>
  );
}

/** The page body. */
export function TrackedDetail(props: TrackedDetailProps) {
  const s = props.strategy;
  return (
    <>
      <p>
        <a href="/app/tracked">← My tracked strategies</a> · <code>{s.slug}</code>
      </p>
      <div class="cards">
        <Settings s={s} />
        <Countdown w={props.window} />
      </div>
      <SignalForm s={s} w={props.window} submitted={props.submitted} />
      <section class="card" aria-labelledby="signals-h">
        <h2 id="signals-h">
          <Bilingual en="Signals" zh="信号" />
        </h2>
        <div id="withdraw-result" aria-live="polite">
          {props.withdrawn ? <WithdrawnNotice date={props.withdrawn} /> : null}
        </div>
        <SignalsTable signals={props.signals} nowMs={props.window.nowMs} canWithdraw={!s.managed_by} />
        <Pager
          url={props.url}
          offset={props.offset}
          limit={PAGE_ROWS}
          total={props.signalTotal}
          label="Pages of signals"
        />
      </section>
      <ClaimedUpload s={s} claimed={props.claimed} />
    </>
  );
}
