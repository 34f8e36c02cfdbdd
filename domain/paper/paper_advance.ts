/**
 * Advancing instances: each running instance is taken from its last processed bar through the latest session
 * every one of its exchanges has closed (never past the date asked for), by the paper runner — the backtest
 * engine resumed from the stored state, so the fills and equity are a backtest's.
 *
 * Idempotent per bar date: the days a run returns are those after `last_bar_date`, and they are written in
 * commits checked against the versionstamp of the record they were computed from. A commit that loses to a
 * concurrent writer (another advancer, a stop) writes nothing; the advance re-reads and goes on from what was
 * written, so every bar is processed once and the log's `seq` stays gapless. A job that ran late, or not at
 * all for a while, processes every missed session in order.
 *
 * Batching: the new days go in as few commits as KV's limits allow (`PAPER_COMMIT_LIMITS`): the largest prefix
 * of the days that fits is committed (the runner is run once more through that prefix's last day for the state
 * after it — the runner returns the state after its last day only), then the rest. A year of catch-up is a
 * handful of commits.
 *
 * A runner error (unusable market data, the work budget outgrown) marks the instance `failed` with the error in
 * its log — final, like a stop — instead of failing the job or retrying the same bars forever.
 */
import type { ExchangeCode } from "../calendar/exchanges.ts";
import { monotonicMs } from "../clock.ts";
import { DomainError } from "../errors.ts";
import {
  PAPER_COMMIT_LIMITS,
  paperCommitCost,
  type PaperInstanceEntry,
  type PaperInstanceRecord,
} from "../store/paper_repo.ts";
import { advancePaper, latestClosedDate, type PaperAdvance, type PaperDay } from "./paper_runner.ts";
import type { PaperServices } from "./paper_services.ts";
import { stopCommit } from "./paper_stop.ts";
import { fillEvent, type NewPaperEvent, numbered, orderEvent, tradeMessages } from "./paper_views.ts";

/** The most running instances one job run looks at. */
const MAX_INSTANCES_PER_RUN = 10_000;
/** The most commits one instance's advance makes in one call (a year of bars needs a handful). */
const MAX_COMMITS_PER_ADVANCE = 200;
/** Concurrent-write retries of one commit before the advance gives up for this run. */
const MAX_CONFLICT_RETRIES = 20;

/** What advancing one instance did. */
export interface InstanceAdvance {
  bars: number;
  fills: number;
  failed: boolean;
  error: string | null;
  /** `false` when the time budget ran out (or the commit cap was reached) before the target date. */
  complete: boolean;
}

/** A day's money figures rounded to 4 decimals, as a backtest report's daily series rounds them. */
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The events of processed days, in order: per day lapsed orders, fills, new orders, then the day's summary. */
function dayEvents(days: readonly PaperDay[]): NewPaperEvent[] {
  const out: NewPaperEvent[] = [];
  for (const d of days) {
    for (const o of d.lapsed) out.push(orderEvent("order_lapsed", d.date, o));
    for (const t of d.fills) out.push(fillEvent(t));
    for (const o of d.orders) out.push(orderEvent("order", d.date, o));
    out.push({
      date: d.date,
      type: "daily_summary",
      message: `Equity ${
        r4(d.equity)
      } after ${d.date} (${d.fills.length} fill(s), ${d.positions} position(s))`,
      data: {
        equity: r4(d.equity),
        cash: r4(d.cash),
        holdings_value: r4(d.holdings),
        positions: d.positions,
        trades: d.fills.length,
      },
    });
  }
  return out;
}

/** The record after `days` (a prefix of what a run returned) with the run's state after them. */
function afterDays(r: PaperInstanceRecord, days: readonly PaperDay[], run: PaperAdvance, now: number) {
  const last = days[days.length - 1];
  const events = numbered(dayEvents(days), r.last_seq, now);
  const next: PaperInstanceRecord = {
    ...r,
    state: run.state,
    last_close: run.last_close,
    last_bar_date: last.date,
    bars_processed: r.bars_processed + days.length,
    equity: r4(last.equity),
    cash: r4(last.cash),
    holdings_value: r4(last.holdings),
    trades_count: r.trades_count + days.reduce((n, d) => n + d.fills.length, 0),
    last_seq: r.last_seq + events.length,
    updated_at: now,
  };
  return {
    next,
    events,
    trades: tradeMessages(next, events),
    publicTrades: tradeMessages(next, events, "public"),
  };
}

/** The largest prefix of `days` (at least one day) whose commit fits KV's limits. */
function fittingPrefix(
  r: PaperInstanceRecord,
  days: readonly PaperDay[],
  run: PaperAdvance,
  now: number,
): number {
  const fits = (k: number) => {
    const c = afterDays(r, days.slice(0, k), run, now);
    const cost = paperCommitCost(c.next, c);
    return cost.mutations <= PAPER_COMMIT_LIMITS.mutations && cost.bytes <= PAPER_COMMIT_LIMITS.bytes;
  };
  if (fits(days.length)) return days.length;
  let lo = 1, hi = days.length - 1; // fits(lo) assumed (one day is far under the limits)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Marks the instance failed with `error` (one commit); `false` when the record changed meanwhile. */
function markFailed(deps: PaperServices, entry: PaperInstanceEntry, error: string): Promise<boolean> {
  const r = entry.record;
  const now = deps.clock.now();
  const events = numbered([{ date: null, type: "error", message: error, data: { error } }], r.last_seq, now);
  const next: PaperInstanceRecord = {
    ...r,
    status: "failed",
    error,
    stopped_at: now,
    stop_reason: "error",
    last_seq: r.last_seq + 1,
    updated_at: now,
  };
  return deps.instances.commit(entry.versionstamp, next, { events, trades: [] });
}

/** Runs the runner for `r` through `throughDate`. */
function run(deps: PaperServices, r: PaperInstanceRecord, throughDate: string): Promise<PaperAdvance> {
  return advancePaper({
    spec: r.spec,
    symbols: r.symbols,
    ownerId: r.user_id,
    state: r.state,
    throughDate,
    market: deps.market,
    maxSymbolBars: deps.maxSymbolBars,
  });
}

/** The day instance `r` may be advanced through when asked for `date`. */
function advanceTarget(deps: PaperServices, r: PaperInstanceRecord, date: string): string {
  const closed = latestClosedDate(r.exchanges as ExchangeCode[], deps.clock.now());
  return closed < date ? closed : date;
}

/**
 * Advances instance `id` through `min(date, latest closed session)`; a stopped or failed instance, or one
 * already there, is left alone. With `budgetMs`, no new batch starts once that much time has passed (the
 * answer says `complete: false`; the next call goes on from the last committed day).
 *
 * Only a refusal of the runner (a `DomainError`: unusable data, the work budget outgrown) fails the instance;
 * anything else (a storage error) is thrown, and the bars are processed by a later run.
 */
export async function advanceInstance(
  deps: PaperServices,
  id: string,
  date: string,
  opts: { budgetMs?: number } = {},
): Promise<InstanceAdvance> {
  const done: InstanceAdvance = { bars: 0, fills: 0, failed: false, error: null, complete: true };
  const until = opts.budgetMs === undefined ? Infinity : monotonicMs() + opts.budgetMs;
  let conflicts = 0;
  for (let commits = 0;;) {
    if (commits >= MAX_COMMITS_PER_ADVANCE || (commits > 0 && monotonicMs() >= until)) {
      return { ...done, complete: false };
    }
    const entry = await deps.instances.get(id);
    if (!entry || entry.record.status !== "running") return done;
    const r = entry.record;
    // An instance of a strategy its owner deleted stops here (positions kept): it frees its place under the
    // tier cap and never trades again; its log stays readable.
    const strategy = await deps.library.library.get(r.strategy_id);
    if (!strategy || strategy.deleted) {
      const stop = stopCommit(r, {
        liquidate: false,
        reason: "strategy deleted",
        message: `Stopped: strategy "${r.strategy_name}" (${r.strategy_id}) was deleted; positions kept`,
        now: deps.clock.now(),
      });
      if (await deps.instances.commit(entry.versionstamp, stop.next, stop)) return done;
      if (++conflicts > MAX_CONFLICT_RETRIES) {
        return { ...done, error: "too many concurrent changes", complete: false };
      }
      continue;
    }
    const through = advanceTarget(deps, r, date);
    if (through < r.start_date || (r.last_bar_date !== null && r.last_bar_date >= through)) return done;
    let result: PaperAdvance;
    let commit: ReturnType<typeof afterDays>;
    try {
      result = await run(deps, r, through);
      if (result.days.length === 0) return done;
      const now = deps.clock.now();
      const k = fittingPrefix(r, result.days, result, now);
      if (k < result.days.length) {
        // The state after the prefix's last day: the same run, shorter (deterministic: the same first k days).
        result = await run(deps, r, result.days[k - 1].date);
      }
      commit = afterDays(r, result.days, result, now);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const error = e.message;
      if (await markFailed(deps, entry, error)) return { ...done, failed: true, error };
      if (++conflicts > MAX_CONFLICT_RETRIES) {
        return { ...done, error: "too many concurrent changes", complete: false };
      }
      continue;
    }
    if (await deps.instances.commit(entry.versionstamp, commit.next, commit)) {
      done.bars += result.days.length;
      done.fills += commit.trades.length;
      commits++;
      conflicts = 0;
    } else if (++conflicts > MAX_CONFLICT_RETRIES) {
      return { ...done, error: "too many concurrent changes", complete: false };
    }
  }
}

/** What one run of the advance job did (`paper-advance`'s summary). */
export interface AdvanceSummary {
  date: string;
  /** Running instances looked at (of the exchange, for an exchange's cron). */
  instances: number;
  /** Instances that processed at least one new bar. */
  advanced: number;
  bars: number;
  fills: number;
  /** Instances marked failed by this run. */
  failed: number;
  errors: { instance_id: string; error: string }[];
}

/**
 * Advances every running instance (only those trading on `exchange` when given) through
 * `min(date, latest closed session of its exchanges)`; `date` defaults to today (UTC). One instance's failure
 * is reported in `errors` and never stops the others.
 */
export async function advanceInstances(
  deps: PaperServices,
  opts: { date?: string; exchanges?: readonly string[] } = {},
): Promise<AdvanceSummary> {
  const date = opts.date ?? new Date(deps.clock.now()).toISOString().slice(0, 10);
  const summary: AdvanceSummary = {
    date,
    instances: 0,
    advanced: 0,
    bars: 0,
    fills: 0,
    failed: 0,
    errors: [],
  };
  for (const id of await deps.instances.listRunning(MAX_INSTANCES_PER_RUN)) {
    if (opts.exchanges) {
      const r = (await deps.instances.get(id))?.record;
      if (!r || !r.exchanges.some((x) => opts.exchanges!.includes(x))) continue;
    }
    summary.instances++;
    try {
      const a = await advanceInstance(deps, id, date);
      if (a.bars > 0) summary.advanced++;
      summary.bars += a.bars;
      summary.fills += a.fills;
      if (a.failed) summary.failed++;
      if (a.error) summary.errors.push({ instance_id: id, error: a.error });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      deps.log("error", "paper advance failed", { instance_id: id, error });
      summary.errors.push({ instance_id: id, error });
    }
  }
  return summary;
}
