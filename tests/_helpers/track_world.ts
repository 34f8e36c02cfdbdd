/**
 * A served world for track-record acceptance tests: the whole app on a `:memory:` KV with a movable clock and the
 * synthetic market, served on 127.0.0.1 (port 0). Records are built through the real submission, logging and
 * settlement code under the moved clock: the three demo records (`replayDemo`) and a public, non-demo record
 * that provably holds a cash-dividend ex-date and a suspension of a held symbol.
 */
import { buildMarketServices } from "../../app/market_services.ts";
import { DEMO_SIGNING_KEY_SETTING, SIGNING_KEY_SETTING } from "../../domain/attestation/checkpoint.ts";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { fromDayNumber, toDayNumber } from "../../domain/calendar/dates.ts";
import { fixedClock } from "../../domain/clock.ts";
import { createSyntheticMarket } from "../../domain/market/synthetic/generator.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { newId } from "../../domain/tokens_and_hashes.ts";
import type { TrackRecordServices } from "../../domain/track_record/services.ts";
import { settleStrategy } from "../../domain/track_record/settlement/settle.ts";
import { attestPending } from "../../domain/track_record/signals/attest_pending.ts";
import { submitSignal } from "../../domain/track_record/signals/signals.ts";
import { createTrackedStrategy } from "../../domain/track_record/signals/tracked_strategies.ts";
import { type DemoReport, replayDemo } from "../../scripts/demo_replay.ts";
import { openTestWorld, type TestWorld } from "./test_app.ts";

const sse = getCalendar("SSE");

/** A test world served on a loopback port. */
export interface TrackWorld {
  w: TestWorld;
  /** `http://127.0.0.1:<port>` */
  base: string;
  close(): Promise<void>;
}

/**
 * Opens a world served on 127.0.0.1 port 0. `witnessUrls` become `WITNESS_URLS` (the server then pushes each new
 * checkpoint to those witnesses and serves their cosignatures); `demoLogKey` / `productionLogKey` (PKCS#8
 * base64) are stored as the logs' signing keys before anything is logged, so witnesses can be configured with its public half first
 * and a second world can sign a forked demo log with the same key; `env` adds other settings.
 */
export async function openTrackWorld(
  opts: {
    witnessUrls?: string[];
    demoLogKey?: string;
    productionLogKey?: string;
    env?: Record<string, string>;
  } = {},
): Promise<TrackWorld> {
  const env: Record<string, string> = { ...(opts.env ?? {}) };
  if (opts.witnessUrls) env.WITNESS_URLS = opts.witnessUrls.join(",");
  const w = await openTestWorld(env);
  const keys: [string, string | undefined][] = [
    [DEMO_SIGNING_KEY_SETTING, opts.demoLogKey],
    [SIGNING_KEY_SETTING, opts.productionLogKey],
  ];
  for (const [setting, key] of keys) {
    if (!key) continue;
    const stored = await createSettingsRepo(w.kv).getOrCreate(setting, () => key);
    if (stored !== key) throw new Error(`${setting} was already set`);
  }
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  return {
    w,
    base: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      await server.shutdown();
      await w.close();
    },
  };
}

/**
 * The world's track-record services with the moved clock, reading bars from a market fixed at `nowMs` (so the
 * long histories behind a benchmark index are generated once, not once per simulated day; same seed and
 * generator as the served market, hence the same bars).
 */
function trackDeps(w: TestWorld, nowMs: number): TrackRecordServices & { clock: TestWorld["clock"] } {
  const market = buildMarketServices(w.kv, fixedClock(nowMs), {
    seed: w.config.marketSeed,
    cacheBytes: 64 << 20,
    yahoo: w.config.yahoo,
  });
  return { ...w.deps.track, market: market.data, clock: w.clock };
}

/**
 * Replays the three demo records (`deno task demo`'s code) over the last `days` SSE trading days before `nowMs`
 * (`progress` is called every 20 days; throwing from it interrupts the replay, and a later call resumes it).
 */
export function replayDemoRecords(
  w: TestWorld,
  days: number,
  nowMs: number,
  progress?: (line: string) => void,
): Promise<DemoReport> {
  return replayDemo(trackDeps(w, nowMs), w.deps.auth.users, createSettingsRepo(w.kv), {
    days,
    nowMs,
    progress,
  });
}

/** Where the synthetic market pays a dividend on a stock that is suspended a few trading days later. */
export interface DividendSuspensionCase {
  symbol: string;
  /** The ex-date (its `adj_factor` steps up against the previous bar). */
  ex_date: string;
  /** SSE trading days in the window with no bar of `symbol`. */
  suspended: string[];
  /** Two other stocks held beside it, trading every day from July on. */
  partner: string;
  partner2: string;
  /** The record's first and last day. */
  first_day: string;
  last_day: string;
}

/**
 * Searches the synthetic market (the world's seed) for an SSE-listed hs300 stock whose July `year` ex-date is
 * followed within 8 trading days by a suspension, with bars on the 3 trading days before the ex-date. The window
 * starts `lead` trading days before the ex-date and ends 3 trading days into the suspension.
 */
export function findDividendSuspension(seed: number, year: number, lead = 3): DividendSuspensionCase {
  const market = createSyntheticMarket({ seed });
  const through = `${year}-09-30`;
  const days = sse.tradingDaysBetween(`${year}-07-01`, through);
  const stocks = market.universe("hs300").filter((s) => /^\d{6}\.SH$/.test(s)).sort();
  let best: DividendSuspensionCase & { gap: number } | null = null;
  const steady: string[] = [];
  for (const symbol of stocks) {
    const b = market.bars(symbol, through);
    const have = new Set(Array.from(b.days));
    const missing = days.filter((d) => !have.has(toDayNumber(d)));
    if (missing.length === 0) {
      steady.push(symbol);
      continue;
    }
    for (let i = 1; i < b.days.length; i++) {
      const exDate = fromDayNumber(b.days[i]);
      if (exDate < days[0] || !(b.adj_factor[i] > b.adj_factor[i - 1])) continue;
      const buyDay = sse.tradingDayOffset(exDate, -3);
      if (!sse.tradingDaysBetween(buyDay, exDate).every((d) => have.has(toDayNumber(d)))) continue;
      const firstMissing = missing.find((d) => d > exDate);
      if (!firstMissing) continue;
      const gap = sse.tradingDaysBetween(exDate, firstMissing).length - 1;
      if (gap > 8 || (best && best.gap <= gap)) continue;
      const last = sse.tradingDayOffset(firstMissing, 3);
      best = {
        symbol,
        ex_date: exDate,
        suspended: missing.filter((d) => d >= firstMissing && d <= last),
        partner: "",
        partner2: "",
        first_day: sse.tradingDayOffset(exDate, -Math.max(3, lead)),
        last_day: last,
        gap,
      };
    }
  }
  if (!best || steady.length < 2) {
    throw new Error(`no hs300 stock with a July ${year} ex-date followed by a suspension`);
  }
  const { gap: _gap, ...found } = best;
  return { ...found, partner: steady[0], partner2: steady[1] };
}

/** What `buildDividendSuspensionRecord` made. */
export interface BuiltRecord extends DividendSuspensionCase {
  slug: string;
  /** Trading days settled, in order. */
  days: string[];
  /** Days with a signal. */
  signal_days: string[];
}

/**
 * Builds the public (non-demo) record `slug` over the window of `findDividendSuspension(seed, year)` through the
 * real code: a user creates the strategy (hs300, open execution, holding period 20), signals are submitted at
 * 09:00 CST (before the 09:15 deadline) and logged, each day is settled at 18:15 CST. Signals: day 1 two steady
 * stocks (sold 20 days later as their holding period expires); 3 trading days before the ex-date the dividend
 * stock and one of them; the day before the ex-date other weights (trades both ways); on the second suspended
 * day, when there is one, a signal without the suspended stock (its sale cannot happen while suspended). The
 * window starts `lead` (default 64, so the 60-day rolling figures exist) trading days before the ex-date. The
 * clock is left at 20:00 CST on the last day.
 */
export async function buildDividendSuspensionRecord(
  w: TestWorld,
  opts: { slug?: string; year?: number; lead?: number } = {},
): Promise<BuiltRecord> {
  const slug = opts.slug ?? "div-suspension";
  const found = findDividendSuspension(w.config.marketSeed, opts.year ?? 2025, opts.lead ?? 64);
  const days = sse.tradingDaysBetween(found.first_day, found.last_day);
  const endMs = sse.instantAt(found.last_day, "20:00");
  const deps = trackDeps(w, endMs);
  const clock = w.clock;
  clock.set(sse.instantAt(found.first_day, "08:00"));
  const now = clock.now();
  const user = newUserRecord(
    { id: newId("usr", now), email: `${slug}@example.com`, nickname: slug, tier: "licensed" },
    now,
  );
  await w.deps.auth.users.create(user);
  await createTrackedStrategy(deps, user.id, 20, {
    name: "Acceptance: a dividend ex-date and a suspension",
    slug,
    universe: "hs300",
    execution_price: "open",
    holding_period: 20,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  });
  const exAt = (n: number) => sse.tradingDayOffset(found.ex_date, n);
  const signals = new Map<string, { symbol: string; weight: number }[]>([
    [days[0], [{ symbol: found.partner, weight: 0.5 }, { symbol: found.partner2, weight: 0.3 }]],
    [exAt(-3), [{ symbol: found.symbol, weight: 0.5 }, { symbol: found.partner, weight: 0.3 }]],
    [exAt(-1), [{ symbol: found.symbol, weight: 0.4 }, { symbol: found.partner, weight: 0.45 }]],
  ]);
  if (found.suspended.length >= 2) signals.set(found.suspended[1], [{ symbol: found.partner, weight: 0.6 }]);
  for (const date of days) {
    const weights = signals.get(date);
    if (weights) {
      clock.set(sse.instantAt(date, "09:00"));
      await submitSignal(deps, user.id, slug, { trade_date: date, signals: weights });
      await attestPending(deps);
      const stored = await deps.signals.get(slug, date);
      if (!stored?.log) throw new Error(`the signal of ${slug} for ${date} was not logged`);
    }
    clock.set(sse.instantAt(date, "18:15"));
    const out = await settleStrategy(deps, slug, date);
    if (out.status === "failed") throw new Error(`settling ${slug} for ${date} failed: ${out.error}`);
  }
  await attestPending(deps);
  clock.set(endMs);
  return { ...found, slug, days, signal_days: [...signals.keys()].sort() };
}
