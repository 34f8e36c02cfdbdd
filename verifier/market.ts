/**
 * Prices for the replay, read from the public bars endpoint (`/data/bars/{symbol}?start=&end=`): each symbol's
 * open and close on a day, and the cash dividend per share of an ex-date, read from the bars as
 * `previous close × (1 − previous adj_factor / adj_factor)` when `adj_factor` steps up from the symbol's previous
 * bar (0 otherwise). A day without a bar is a suspension. The trading days are the benchmark's bar dates.
 */
import { mapLimit, type PublicApi, UnreachableError } from "./public_api.ts";
import type { ReplayBar } from "./replay.ts";
import type { BarsAnswer } from "./shapes.ts";

/** One symbol's bars, by date. */
export interface SymbolBars {
  readonly dates: readonly string[];
  bar(date: string): ReplayBar | null;
  close(date: string): number | null;
}

/** Cash dividend per share implied by the adjustment factor stepping from `prevAdj` to `adj`. */
export function dividendPerShare(prevClose: number, prevAdj: number, adj: number): number {
  return adj > prevAdj && prevAdj > 0 ? prevClose * (1 - prevAdj / adj) : 0;
}

/** Indexes published bars (ascending dates expected; later duplicates ignored). */
export function indexBars(answer: BarsAnswer | null): SymbolBars {
  const rows = Array.isArray(answer?.bars) ? answer!.bars : [];
  const at = new Map<string, number>();
  rows.forEach((b, i) => {
    if (!at.has(b.date)) at.set(b.date, i);
  });
  return {
    dates: rows.map((b) => b.date),
    bar(date) {
      const i = at.get(date);
      if (i === undefined) return null;
      const b = rows[i], prev = i > 0 ? rows[i - 1] : null;
      return {
        open: b.open,
        close: b.close,
        dividend: prev ? dividendPerShare(prev.close, prev.adj_factor, b.adj_factor) : 0,
      };
    },
    close(date) {
      const i = at.get(date);
      return i === undefined ? null : rows[i].close;
    },
  };
}

/** Reads the bars of `symbols` from `start` to `end` (an unknown symbol has none), a few reads at a time. */
export async function loadBars(
  api: PublicApi,
  symbols: readonly string[],
  start: string,
  end: string,
  concurrency: number,
): Promise<Map<string, SymbolBars>> {
  const answers = await mapLimit(
    symbols,
    concurrency,
    (s) =>
      api.get<BarsAnswer>(`/data/bars/${encodeURIComponent(s)}?start=${start}&end=${end}`, {
        allowNotFound: true,
      }),
  );
  return new Map(symbols.map((s, i) => [s, indexBars(answers[i])]));
}

/**
 * Like `loadBars`, but a read that fails (`UnreachableError`) is kept per symbol: the symbol is left out of the
 * map and its message is in `unreachable`, so checks that need no bars still count.
 */
export async function loadBarsEach(
  api: PublicApi,
  symbols: readonly string[],
  start: string,
  end: string,
  concurrency: number,
): Promise<{ bars: Map<string, SymbolBars>; unreachable: string[] }> {
  const unreachable: string[] = [];
  const answers = await mapLimit(symbols, concurrency, async (s) => {
    try {
      return await api.get<BarsAnswer>(`/data/bars/${encodeURIComponent(s)}?start=${start}&end=${end}`, {
        allowNotFound: true,
      });
    } catch (e) {
      if (!(e instanceof UnreachableError)) throw e;
      unreachable.push(e.message);
      return undefined;
    }
  });
  const bars = new Map<string, SymbolBars>();
  symbols.forEach((s, i) => {
    if (answers[i] !== undefined) bars.set(s, indexBars(answers[i]!));
  });
  return { bars, unreachable };
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Counts trading days (ascending `days`) after `from` up to and including `to`. */
export function tradingDaysBetween(days: readonly string[], from: string, to: string): number {
  const upTo = (d: string) => {
    let lo = 0, hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid] <= d) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Math.max(0, upTo(to) - upTo(from));
}
