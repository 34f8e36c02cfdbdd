/**
 * The demo replay behind `deno task demo`: three clearly marked demo strategies (slugs `demo-…`, `is_demo`)
 * whose last `days` SSE trading days are replayed through the real submission, settlement and attestation code
 * under a simulated clock: each day at 09:00 CST a signal is computed from bars of earlier days only and
 * submitted; at 18:15 CST the day is settled. One strategy skips days, one is paused for a while, one replaces
 * a signal, and one uploads a claimed history, so every part of a public record shows up.
 *
 * The replay is resumable and idempotent: its window (first and last day) is stored on the first run, and a
 * later run skips every strategy-day already settled and continues with the first one that is not, re-using a
 * signal already submitted for it. A settled day is never written again.
 */
import { getCalendar } from "../domain/calendar/calendar.ts";
import { toDayNumber } from "../domain/calendar/dates.ts";
import type { Clock } from "../domain/clock.ts";
import { newId } from "../domain/tokens_and_hashes.ts";
import { newUserRecord } from "../domain/auth/user_view.ts";
import type { UserRepo } from "../domain/store/user_repo.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { submitSignal } from "../domain/track_record/signals/signals.ts";
import { attestPending } from "../domain/track_record/signals/attest_pending.ts";
import { canonicalSignalJson } from "../domain/track_record/signals/canonical.ts";
import type { SettingsRepo } from "../domain/store/settings_repo.ts";
import type { DemoResetRepo } from "../domain/store/demo_reset_repo.ts";
import { createTrackedStrategy, patchTracked } from "../domain/track_record/signals/tracked_strategies.ts";
import { putClaimedHistory } from "../domain/track_record/claimed_history.ts";
import { settleStrategy } from "../domain/track_record/settlement/settle.ts";
import type { BarSeries } from "../domain/market/types.ts";

/** The demo account's email. */
export const DEMO_EMAIL = "demo@quantedge.local";

/** Slugs of the demo strategies. */
export const DEMO_SLUGS = ["demo-reversal", "demo-momentum", "demo-etf-rotation"] as const;

const sse = getCalendar("SSE");

/** A clock the replay moves. */
export type MovableClock = Clock & { set(ms: number): void };

/** The replay's window, stored on the first run so an interrupted replay resumes the same days. */
export interface DemoPlan {
  first_day: string;
  last_day: string;
  days: number;
}

/** The setting that holds the stored `DemoPlan` (JSON). */
export const DEMO_PLAN_SETTING = "demo_replay_plan";

/** What the replay reports. */
export interface DemoReport extends DemoPlan {
  /** `true` when this run created the demo strategies. */
  created: boolean;
  /** The first day this run replayed when an earlier run had replayed part of the window, else `null`. */
  resumed_at: string | null;
  /** Trading days this run replayed (0 when the record was complete already). */
  replayed_days: number;
  /** Signal versions submitted by this run. */
  signals: number;
  /** Strategy-days settled by this run. */
  settled_days: number;
}

/**
 * A demo record written by an earlier version, whose signals went to the production log instead of the demo's
 * own: the first such demo signal (logged, but not in the demo log), or `null` when there is none. Such a record
 * is not re-verified (its proofs are in another log); `deno task demo --reset` deletes it.
 */
export async function legacyDemoSignal(
  deps: TrackRecordServices,
): Promise<{ slug: string; trade_date: string; signal_hash: string } | null> {
  for (const slug of DEMO_SLUGS) {
    const strategy = await deps.strategies.get(slug);
    if (!strategy) continue;
    const logged = (await deps.signals.listAll(slug)).find((s) => s.log !== null);
    if (logged && !strategy.is_demo) {
      return { slug, trade_date: logged.trade_date, signal_hash: logged.signal_hash };
    }
    if (logged && (await deps.demoTlog.inclusionProof(logged.signal_hash)) === null) {
      return { slug, trade_date: logged.trade_date, signal_hash: logged.signal_hash };
    }
  }
  return null;
}

/**
 * Deletes every demo strategy's data (strategies with `is_demo`: signals, settled days, audit, claimed history,
 * trade feed, markers), the replay plan and the demo log with its cosignatures and commits; nothing of any other
 * strategy and nothing of the production log (append-only: leaves an earlier version put there stay). Returns the
 * slugs and how many entries were deleted.
 */
export async function resetDemo(
  deps: TrackRecordServices,
  store: DemoResetRepo,
): Promise<{ slugs: string[]; deleted: number }> {
  const demo = (await deps.strategies.listAll()).filter((s) => s.is_demo);
  const slugs = demo.map((s) => s.slug);
  const owners = [...new Set(demo.map((s) => s.owner_id))];
  const all = await deps.strategies.listAll();
  // An owner's live-strategy count goes only when every strategy of that owner is a demo one.
  const ownerIds = owners.filter((o) => all.every((s) => s.owner_id !== o || s.is_demo));
  const deleted = await store.deleteDemoData({
    slugs,
    ownerIds,
    logName: "demo",
    logOrigin: deps.demoTlog.origin,
    settings: [DEMO_PLAN_SETTING],
    atMs: deps.clock.now(),
  });
  return { slugs, deleted };
}

/** Days (index `i` in the window) on which each demo strategy submits a signal. */
const SIGNAL_SCHEDULE: Record<(typeof DEMO_SLUGS)[number], (i: number) => boolean> = {
  "demo-reversal": (i) => i % 5 === 0,
  "demo-momentum": (i) => i % 4 !== 3,
  // Paused from day 40 to day 54.
  "demo-etf-rotation": (i) => !(i >= 40 && i < 55) && i % 10 === 0,
};

/** What a complete demo record holds for one strategy. */
export interface DemoExpectation {
  slug: string;
  first_day: string;
  last_day: string;
  /** Every strategy (paused too) is settled every trading day of the window. */
  settled_days: number;
  /** Settled days whose signal is shown (the rest are hold days). */
  signal_days: number;
}

/** The complete record of each demo strategy for a plan, to check what the public endpoints show against. */
export function expectedDemoRecords(plan: DemoPlan): DemoExpectation[] {
  const days = sse.tradingDaysBetween(plan.first_day, plan.last_day).length;
  return DEMO_SLUGS.map((slug) => ({
    slug,
    first_day: plan.first_day,
    last_day: plan.last_day,
    settled_days: days,
    signal_days: Array.from({ length: days }, (_, i) => i).filter(SIGNAL_SCHEDULE[slug]).length,
  }));
}

async function demoOwner(users: UserRepo, now: number): Promise<string> {
  const existing = await users.getByEmail(DEMO_EMAIL);
  if (existing) return existing.id;
  const user = newUserRecord(
    { id: newId("usr", now), email: DEMO_EMAIL, nickname: "demo", tier: "licensed" },
    now,
  );
  await users.create(user);
  return user.id;
}

/** Close prices on days strictly before `day` (the only data a signal for `day` may use). */
function closesBefore(series: BarSeries, day: number, lookback: number): number[] {
  let end = series.days.length;
  while (end > 0 && series.days[end - 1] >= day) end--;
  return Array.from(series.close.subarray(Math.max(0, end - lookback), end));
}

function trailingReturn(series: BarSeries | undefined, day: number, window: number): number | null {
  if (!series) return null;
  const c = closesBefore(series, day, window + 1);
  return c.length === window + 1 ? c[c.length - 1] / c[0] - 1 : null;
}

function rank(pool: string[], bars: Map<string, BarSeries>, day: number, window: number): string[] {
  return pool.map((s) => ({ s, r: trailingReturn(bars.get(s), day, window) }))
    .filter((x): x is { s: string; r: number } => x.r !== null)
    .sort((a, b) => a.r - b.r || (a.s < b.s ? -1 : 1))
    .map((x) => x.s);
}

/** The demo strategies' settings. */
const DEMO_STRATEGIES = [
  {
    name: "Demo: 20-day reversal (hs300 pool)",
    slug: "demo-reversal",
    universe: "hs300",
    execution_price: "open",
    holding_period: 10,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  },
  {
    name: "Demo: 60-day momentum, misses days",
    slug: "demo-momentum",
    universe: "hs300",
    execution_price: "close",
    holding_period: 3,
    initial_capital: 2_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  },
  {
    name: "Demo: ETF rotation, paused for a while",
    slug: "demo-etf-rotation",
    universe: "etf_all",
    execution_price: "open",
    holding_period: 20,
    initial_capital: 500_000,
    commission_rate: 0.0003,
    slippage_rate: 0.001,
  },
] as const;

type Weights = { symbol: string; weight: number }[];

/**
 * Replays the demo window: the last `days` SSE trading days that have closed at `nowMs` on the first run, the
 * stored window on later runs. Strategy-days already settled are skipped, so a run after an interrupted one
 * finishes the record, and a run after a complete one writes nothing.
 */
export async function replayDemo(
  deps: TrackRecordServices & { clock: MovableClock },
  users: UserRepo,
  settings: SettingsRepo,
  opts: { days: number; nowMs: number; progress?: (line: string) => void },
): Promise<DemoReport> {
  const say = opts.progress ?? (() => {});
  const clock = deps.clock;
  // Demo data written before the window was stored: its window starts at the first strategy's first day.
  const legacyStart = (await deps.strategies.get(DEMO_SLUGS[0]))?.start_date ?? null;
  const firstFresh = legacyStart ??
    sse.tradingDayOffset(sse.latestCompletedTradingDay(opts.nowMs), -(opts.days - 1));
  const plan = JSON.parse(
    await settings.getOrCreate(DEMO_PLAN_SETTING, () =>
      JSON.stringify(
        {
          first_day: firstFresh,
          last_day: sse.tradingDayOffset(firstFresh, opts.days - 1),
          days: opts.days,
        } satisfies DemoPlan,
      )),
  ) as DemoPlan;
  const firstDay = plan.first_day;
  const lastDay = plan.last_day;
  const days = sse.tradingDaysBetween(firstDay, lastDay);
  const report: DemoReport = {
    ...plan,
    created: false,
    resumed_at: null,
    replayed_days: 0,
    signals: 0,
    settled_days: 0,
  };
  const settledThrough = async (slug: string) => (await deps.settlements.head(slug))?.date ?? "";
  const done = async (date: string) => {
    for (const slug of DEMO_SLUGS) if ((await settledThrough(slug)) < date) return false;
    return true;
  };
  const claimedDays = sse.tradingDaysBetween(
    sse.tradingDayOffset(firstDay, -60),
    sse.previousTradingDay(firstDay),
  );
  const claimedDone = async () =>
    (await deps.claimed.get("demo-reversal"))?.records.at(-1)?.date === claimedDays.at(-1);
  if (await done(lastDay) && await claimedDone()) return report;

  clock.set(sse.instantAt(firstDay, "08:00"));
  const owner = await demoOwner(users, clock.now());

  // Bars for the pools, read once through the last day; signals only ever look at days before their own.
  const stocks = (await deps.market.getUniverse("hs300")).filter((s) => /^\d{6}\.(SH|SZ)$/.test(s)).slice(
    0,
    40,
  );
  const etfs = (await deps.market.getUniverse("etf_all")).slice(0, 20);
  clock.set(opts.nowMs);
  const from = sse.tradingDayOffset(firstDay, -80);
  const bars = new Map<string, BarSeries>();
  for (const s of [...stocks, ...etfs]) {
    const b = await deps.market.getBars(s, from, lastDay);
    if (b) bars.set(s, b);
  }
  clock.set(sse.instantAt(firstDay, "08:00"));

  let resuming = false;
  for (const settings of DEMO_STRATEGIES) {
    if (await deps.strategies.get(settings.slug)) {
      resuming = true;
      continue;
    }
    await createTrackedStrategy(deps, owner, 20, {
      ...settings,
      description: "DEMO — replayed by `deno task demo` under a simulated clock",
      is_demo: true,
    });
    report.created = true;
  }

  /** The signal versions a strategy submits on day `i`, in order (the last one is the one that counts). */
  const versionsFor = (slug: (typeof DEMO_SLUGS)[number], i: number, day: number): Weights[] => {
    if (!SIGNAL_SCHEDULE[slug](i)) return [];
    if (slug === "demo-reversal") {
      const losers = rank(stocks, bars, day, 20).slice(0, 8);
      const final = losers.map((symbol) => ({ symbol, weight: 0.12 }));
      // On the first day a first version is replaced a minute later: the log keeps both, the record the second.
      return i === 0 ? [losers.slice(0, 4).map((symbol) => ({ symbol, weight: 0.2 })), final] : [final];
    }
    if (slug === "demo-momentum") {
      return [rank(stocks, bars, day, 60).reverse().slice(0, 5).map((symbol) => ({ symbol, weight: 0.19 }))];
    }
    return [rank(etfs, bars, day, 20).reverse().slice(0, 3).map((symbol) => ({ symbol, weight: 0.3 }))];
  };

  /** Submits the day's versions a previous run has not, and logs one it stored without logging. */
  const ensureSignal = async (slug: string, date: string, versions: Weights[]) => {
    const canonical = (w: Weights) =>
      canonicalSignalJson({
        strategy: slug,
        trade_date: date,
        signals: [...w].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)),
      });
    const existing = await deps.signals.get(slug, date);
    const at = existing ? versions.findIndex((v) => canonical(v) === existing.canonical_json) : -1;
    // Nothing stored: every version; a stored earlier version: the rest; anything else: the final one.
    const start = !existing ? 0 : at >= 0 ? at + 1 : versions.length - 1;
    let current = existing;
    for (let k = start; k < versions.length; k++) {
      clock.set(Math.max(clock.now(), sse.instantAt(date, "09:00") + k * 60_000));
      await submitSignal(deps, owner, slug, { trade_date: date, signals: versions[k] });
      // As after any submission: the commit, then the step that logs (and, if configured, attests) it.
      await attestPending(deps);
      current = await deps.signals.get(slug, date);
      report.signals++;
    }
    if (current && !current.log) {
      // Stored by an earlier run that stopped before logging it: the pending step picks it up.
      await attestPending(deps);
      current = await deps.signals.get(slug, date);
    }
    if (current && !current.log) {
      throw new Error(`the signal of ${slug} for ${date} is not in the transparency log`);
    }
  };

  for (const [i, date] of days.entries()) {
    if (await done(date)) continue;
    if (report.replayed_days++ === 0 && resuming) report.resumed_at = date;
    const day = toDayNumber(date);
    clock.set(sse.instantAt(date, "09:00"));
    for (const slug of DEMO_SLUGS) {
      if ((await settledThrough(slug)) >= date) continue;
      if (slug === "demo-etf-rotation" && (i === 40 || i === 55)) {
        const status = (await deps.strategies.get(slug))!.status;
        if (i === 40 && status === "active") await patchTracked(deps, owner, slug, { status: "paused" });
        if (i === 55 && status === "paused") await patchTracked(deps, owner, slug, { status: "active" });
      }
      const versions = versionsFor(slug, i, day);
      if (versions.length > 0) await ensureSignal(slug, date, versions);
    }
    clock.set(sse.instantAt(date, "18:15"));
    for (const slug of DEMO_SLUGS) {
      const out = await settleStrategy(deps, slug, date);
      if (out.status === "failed") throw new Error(`settling ${slug} for ${date} failed: ${out.error}`);
      report.settled_days += out.days.length;
    }
    if (i % 20 === 19) say(`  replayed ${i + 1}/${days.length} days (through ${date})`);
  }

  // A claimed history for the reversal strategy: an equal-weight pool NAV over the 60 days before it started.
  if (!(await claimedDone())) {
    let nav = 1;
    const records = claimedDays.map((date) => {
      const rets = stocks.map((s) => trailingReturn(bars.get(s), toDayNumber(date) + 1, 1)).filter((r) =>
        r !== null
      );
      nav *= 1 + rets.reduce((a, b) => a + b!, 0)! / Math.max(1, rets.length);
      return { date, nav: Math.round(nav * 1e6) / 1e6 };
    });
    await putClaimedHistory(deps, owner, "demo-reversal", records);
  }
  clock.set(opts.nowMs);
  return report;
}
