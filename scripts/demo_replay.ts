/**
 * The demo replay behind `deno task demo`: three clearly marked demo strategies (slugs `demo-…`, `is_demo`)
 * whose last `days` SSE trading days are replayed through the real submission, settlement and attestation code
 * under a simulated clock: each day at 09:00 CST a signal is computed from bars of earlier days only and
 * submitted; at 18:15 CST the day is settled. One strategy skips days, one is paused for a while, one replaces
 * a signal, and one uploads a claimed history, so every part of a public record shows up.
 */
import { getCalendar } from "../domain/calendar/calendar.ts";
import { toDayNumber } from "../domain/calendar/dates.ts";
import type { Clock } from "../domain/clock.ts";
import { newId } from "../domain/crypto.ts";
import { newUserRecord } from "../domain/auth/user_view.ts";
import type { UserRepo } from "../domain/store/user_repo.ts";
import type { TrackDeps } from "../domain/signals/track_deps.ts";
import { submitSignal } from "../domain/signals/signals.ts";
import { createTrackedStrategy, patchTracked } from "../domain/signals/tracked_strategies.ts";
import { putClaimedHistory } from "../domain/signals/claimed_history.ts";
import { settleStrategy } from "../domain/settlement/settle.ts";
import type { BarSeries } from "../domain/market/types.ts";

/** The demo account's email. */
export const DEMO_EMAIL = "demo@quantedge.local";

/** Slugs of the demo strategies. */
export const DEMO_SLUGS = ["demo-reversal", "demo-momentum", "demo-etf-rotation"] as const;

const sse = getCalendar("SSE");

/** A clock the replay moves. */
export type MovableClock = Clock & { set(ms: number): void };

/** What the replay reports. */
export interface DemoReport {
  created: boolean;
  first_day: string;
  last_day: string;
  signals: number;
  settled_days: number;
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

/**
 * Replays the last `days` SSE trading days that have closed at `nowMs`; does nothing (created: false) when the
 * demo strategies exist already.
 */
export async function replayDemo(
  deps: TrackDeps & { clock: MovableClock },
  users: UserRepo,
  opts: { days: number; nowMs: number; progress?: (line: string) => void },
): Promise<DemoReport> {
  const say = opts.progress ?? (() => {});
  const lastDay = sse.latestCompletedTradingDay(opts.nowMs);
  const firstDay = sse.tradingDayOffset(lastDay, -(opts.days - 1));
  if (await deps.strategies.get(DEMO_SLUGS[0])) {
    return { created: false, first_day: firstDay, last_day: lastDay, signals: 0, settled_days: 0 };
  }
  const clock = deps.clock;
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

  const common = {
    description: "DEMO — replayed by `deno task demo` under a simulated clock",
    is_demo: true,
  };
  await createTrackedStrategy(deps, owner, 20, {
    ...common,
    name: "Demo: 20-day reversal (hs300 pool)",
    slug: "demo-reversal",
    universe: "hs300",
    execution_price: "open",
    holding_period: 10,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  });
  await createTrackedStrategy(deps, owner, 20, {
    ...common,
    name: "Demo: 60-day momentum, misses days",
    slug: "demo-momentum",
    universe: "hs300",
    execution_price: "close",
    holding_period: 3,
    initial_capital: 2_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  });
  await createTrackedStrategy(deps, owner, 20, {
    ...common,
    name: "Demo: ETF rotation, paused for a while",
    slug: "demo-etf-rotation",
    universe: "etf_all",
    execution_price: "open",
    holding_period: 20,
    initial_capital: 500_000,
    commission_rate: 0.0003,
    slippage_rate: 0.001,
  });

  const days = sse.tradingDaysBetween(firstDay, lastDay);
  let signals = 0;
  let settled = 0;
  for (const [i, date] of days.entries()) {
    const day = toDayNumber(date);
    clock.set(sse.instantAt(date, "09:00"));
    if (i % 5 === 0) {
      const losers = rank(stocks, bars, day, 20).slice(0, 8);
      if (i === 0) {
        // First version, replaced a minute later: the log keeps both, the record uses the second.
        await submitSignal(deps, owner, "demo-reversal", {
          trade_date: date,
          signals: losers.slice(0, 4).map((symbol) => ({ symbol, weight: 0.2 })),
        });
        clock.set(sse.instantAt(date, "09:01"));
        signals++;
      }
      await submitSignal(deps, owner, "demo-reversal", {
        trade_date: date,
        signals: losers.map((symbol) => ({ symbol, weight: 0.12 })),
      });
      signals++;
    }
    if (i % 4 !== 3) {
      const winners = rank(stocks, bars, day, 60).reverse().slice(0, 5);
      await submitSignal(deps, owner, "demo-momentum", {
        trade_date: date,
        signals: winners.map((symbol) => ({ symbol, weight: 0.19 })),
      });
      signals++;
    }
    const paused = i >= 40 && i < 55;
    if (i === 40) await patchTracked(deps, owner, "demo-etf-rotation", { status: "paused" });
    if (i === 55) await patchTracked(deps, owner, "demo-etf-rotation", { status: "active" });
    if (!paused && i % 10 === 0) {
      const top = rank(etfs, bars, day, 20).reverse().slice(0, 3);
      await submitSignal(deps, owner, "demo-etf-rotation", {
        trade_date: date,
        signals: top.map((symbol) => ({ symbol, weight: 0.3 })),
      });
      signals++;
    }
    clock.set(sse.instantAt(date, "18:15"));
    for (const slug of DEMO_SLUGS) {
      const out = await settleStrategy(deps, slug, date);
      if (out.status === "failed") throw new Error(`demo settlement failed: ${out.error}`);
      settled += out.days.length;
    }
    if (i % 20 === 19) say(`  replayed ${i + 1}/${days.length} days (through ${date})`);
  }

  // A claimed history for the reversal strategy: an equal-weight pool NAV over the 60 days before it started.
  const claimedDays = sse.tradingDaysBetween(
    sse.tradingDayOffset(firstDay, -60),
    sse.previousTradingDay(firstDay),
  );
  let nav = 1;
  const records = claimedDays.map((date) => {
    const rets = stocks.map((s) => trailingReturn(bars.get(s), toDayNumber(date) + 1, 1)).filter((r) =>
      r !== null
    );
    nav *= 1 + rets.reduce((a, b) => a + b!, 0)! / Math.max(1, rets.length);
    return { date, nav: Math.round(nav * 1e6) / 1e6 };
  });
  await putClaimedHistory(deps, owner, "demo-reversal", records);
  clock.set(opts.nowMs);
  return { created: true, first_day: firstDay, last_day: lastDay, signals, settled_days: settled };
}
