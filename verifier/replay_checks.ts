/**
 * The checks that need bars. The benchmark's bars are read first: they are the calendar (trading days = the
 * benchmark's bar dates, so a settled day hidden from `/track-record` is still asked for). The stocks' bars are
 * read after every other check: the benchmark close and return and the full settlement replay compared figure by
 * figure with each day. A bars read that fails is kept per symbol: what needs it is skipped and the messages are
 * returned (the verdict is `unreachable` only when nothing else failed).
 */
import type { Ledger } from "./checks.ts";
import { compareDay } from "./day_checks.ts";
import { addDays, loadBarsEach, type SymbolBars, tradingDaysBetween } from "./market.ts";
import type { PublicApi } from "./public_api.ts";
import { replayDay, type ReplayState } from "./replay.ts";
import type { Parameters, TrackRecordAnswer, VerifyAnswer } from "./shapes.ts";
import type { Weights } from "./signal_checks.ts";

/** How many reads run at once. */
const CONCURRENCY = 8;
/** Calendar days of benchmark bars read before the first day (for its return). */
const BENCHMARK_LEAD_DAYS = 30;

/** The calendar: the benchmark's bars, or the message of the read that failed. */
export type Calendar = { bars: SymbolBars; unreachable: null } | { bars: null; unreachable: string };

/** Reads the benchmark's bars from before the start date through `last`. */
export async function readCalendar(api: PublicApi, params: Parameters, last: string): Promise<Calendar> {
  const { bars, unreachable } = await loadBarsEach(
    api,
    [params.benchmark],
    addDays(params.start_date, -BENCHMARK_LEAD_DAYS),
    last,
    1,
  );
  const b = bars.get(params.benchmark);
  return b ? { bars: b, unreachable: null } : { bars: null, unreachable: unreachable[0] };
}

/** The settled days the replay runs over. */
export interface PublishedDays {
  /** The days to replay, ascending: the calendar's from the start date and the settled days. */
  dates: string[];
  bundles: Map<string, VerifyAnswer>;
  weights: Map<string, Weights>;
  rows: Map<string, TrackRecordAnswer["records"][number]>;
  /** A day's failure list. */
  sinkOf(date: string): string[];
}

/** Runs the bar checks and the replay; returns the messages of bars reads that failed (none: all ran). */
export async function checkAgainstBars(
  api: PublicApi,
  l: Ledger,
  failures: string[],
  params: Parameters,
  benchBars: SymbolBars,
  p: PublishedDays,
): Promise<string[]> {
  const last = p.dates.at(-1)!;
  const calendar = benchBars.dates;

  const symbols = [...new Set([...p.weights.values()].flat().map((w) => w.symbol))].sort();
  const { bars, unreachable } = await loadBarsEach(api, symbols, params.start_date, last, CONCURRENCY);
  const noBars: SymbolBars = { dates: [], bar: () => null, close: () => null };
  let replaying = true;
  const barsRead = unreachable.length === 0;
  let state: ReplayState = { cash: params.initial_capital, holdings: [] };
  let prevNav = params.initial_capital;
  let sawDividendConvention = false;
  for (const date of p.dates) {
    const b = p.bundles.get(date);
    if (!b) {
      if (replaying) {
        l.check(failures, "replay.gap", false, () => `${date}: no settled day, so the replay stops here`);
      }
      replaying = false;
      continue;
    }
    const sink = p.sinkOf(date);
    const convention = b.dividend_convention === "none" && !sawDividendConvention
      ? "none"
      : "cash_on_ex_date_no_tax";
    if (b.dividend_convention !== "none") sawDividendConvention = true;
    const benchClose = benchBars.close(date);
    const prevBench = calendar[calendar.indexOf(date) - 1];
    const prevClose = prevBench === undefined ? null : benchBars.close(prevBench);
    const benchmark = {
      symbol: params.benchmark,
      close: benchClose,
      return: benchClose !== null && prevClose !== null ? benchClose / prevClose - 1 : null,
    };
    const row = p.rows.get(date);
    if (row) {
      l.same(sink, "track_record.benchmark_return", date, row.benchmark_return, benchmark.return, {
        word: "from bars",
      });
    }
    if (!replaying || !barsRead) continue;
    const replayed = replayDay({
      date,
      state,
      signal: b.signal ? p.weights.get(date) ?? [] : null,
      bar: (symbol) => (bars.get(symbol) ?? noBars).bar(date),
      tradingDaysSince: (from) => tradingDaysBetween(calendar, from, date),
      creditDividends: convention !== "none",
      parameters: params,
    });
    await compareDay(l, sink, b, { replayed, prevNav, benchmark, dividendConvention: convention });
    state = replayed.state;
    prevNav = replayed.nav;
  }
  return unreachable;
}

/** Settled days = the benchmark's bar dates from the start date on: none missing, none extra. */
export function checkTradingDays(
  l: Ledger,
  failures: string[],
  params: Parameters,
  published: readonly string[],
  expected: readonly string[],
): void {
  const publishedSet = new Set(published);
  const expectedSet = new Set(expected);
  for (let i = 0; i < expected.length; i++) {
    if (publishedSet.has(expected[i])) continue;
    const before = expected.slice(0, i).reverse().find((d) => publishedSet.has(d));
    const after = published.find((d) => d > expected[i]);
    l.check(
      failures,
      "track_record.dates",
      false,
      () =>
        before === undefined
          ? `the first settled day is ${published[0]}, but trading starts ${expected[i]} (missing ${
            expected[i]
          })`
          : `settled days are not consecutive: ${before} is followed by ${after} (missing ${expected[i]})`,
    );
  }
  for (const d of published) {
    l.check(
      failures,
      "calendar.trading_day",
      expectedSet.has(d),
      () =>
        `${d} is settled but is not a trading day (no ${params.benchmark} bar, or before the start date ${params.start_date})`,
    );
  }
}
