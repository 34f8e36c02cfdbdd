/** Builds the backtest report from a simulation: summary metrics, trades, daily portfolio, monthly table. */
import { getCalendar } from "../calendar/calendar.ts";
import { fromDayNumber } from "../calendar/dates.ts";
import type { ExchangeCode } from "../calendar/exchanges.ts";
import {
  alphaBeta,
  annualisedReturn,
  dailyReturns,
  deflatedSharpe,
  drawdowns,
  MIN_DAYS_FOR_ANNUALISED,
  probabilisticSharpe,
  sampleStd,
  sharpeRatio,
  sortinoRatio,
  TRADING_DAYS_PER_YEAR,
} from "../metrics/stats.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import type { SimulationResult, Trade } from "./engine.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const r4 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1e4) / 1e4);

/** The best or worst closed trade: its symbol and return in percent. */
export interface TradeExtreme {
  ticker: string;
  return: number | null;
}

/**
 * Summary metrics of a run (also the `metrics` of job views and compares). Metrics are rounded to 4 decimals
 * and null when undefined (too few days, no benchmark, nothing traded…).
 */
export interface BacktestSummary {
  initialCapital: number;
  finalValue: number | null;
  totalReturn: number | null;
  annualizedReturn: number | null;
  volatility: number | null;
  benchmarkReturn: number | null;
  totalTrades: number;
  closedTrades: number;
  winningTrades: number;
  losingTrades: number;
  breakevenTrades: number;
  winRate: number | null;
  maxDrawdown: number | null;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  calmarRatio: number | null;
  profitFactor: number | null;
  alpha: number | null;
  beta: number | null;
  alphaVsBuyAndHold: number | null;
  averageHoldingDays: number | null;
  bestTrade: TradeExtreme | null;
  worstTrade: TradeExtreme | null;
  exposure: number | null;
  turnover: number | null;
  totalFees: number | null;
  probabilisticSharpe: number | null;
  deflatedSharpe: number | null;
}

/** One fill of a report; a SELL also carries its P&L and holding days. */
export interface ReportTrade {
  date: string;
  ticker: string;
  companyName: string;
  action: "BUY" | "SELL";
  quantity: number;
  price: number;
  value: number;
  fees: number;
  portfolioValue: number;
  reason: string;
  /**
   * How decisively the rule fired on the decision bar, 0–100 (`domain/backtest/confidence.ts`; 100 for forced
   * exits); absent on reports stored before it existed.
   */
  confidence?: number;
  profitLoss?: number;
  profitLossPercent?: number;
  holdingDays?: number;
}

/** An engine fill as the report's trade row (`confidence` only when measured; P&L and holding days on sells). */
export function reportTradeOf(t: Trade): ReportTrade {
  return {
    date: fromDayNumber(t.day),
    ticker: t.symbol,
    companyName: t.name,
    action: t.action,
    quantity: t.quantity,
    price: t.price,
    value: t.value,
    fees: t.fees,
    portfolioValue: t.portfolioValue,
    reason: t.reason,
    ...(t.confidence === null ? {} : { confidence: t.confidence }),
    ...(t.action === "SELL"
      ? { profitLoss: t.profitLoss, profitLossPercent: t.profitLossPercent, holdingDays: t.holdingDays }
      : {}),
  };
}

/**
 * One day of the portfolio; each benchmark adds `<symbol>Normalized` (= 100 at the start), and `ihsgValue` /
 * `lq45Value` repeat the `^JKSE` / `LQ45` ones under the Backtester v2 document's names (`null` when the run has
 * no such benchmark). An intersection, not an interface: the benchmark keys hold numbers while `date` is text.
 */
export type ReportDay =
  & {
    date: string;
    portfolioValue: number | null;
    cash: number | null;
    portfolioNormalized: number | null;
    drawdown: number | null;
    ihsgValue: number | null;
    lq45Value: number | null;
  }
  & { [benchmarkNormalized: string]: number | null };

/**
 * One calendar month of a report (`month` reads `Jan 24`): the portfolio's and the first benchmark's return,
 * and the trades closed (SELLs) in the month — how many (`tradesCount`) and the share with a profit (`winRate`).
 */
export interface ReportMonth {
  month: string;
  returns: number | null;
  benchmarkReturns: number | null;
  winRate: number | null;
  probability: number | null;
  tradesCount: number;
}

/** A position still open at the end of a run, valued at the last close. */
export interface ReportOpenPosition {
  symbol: string;
  quantity: number;
  entryPrice: number;
  lastClose: number;
  unrealizedProfitLoss: number | null;
}

/** The conventions a report was computed under (how to read its numbers). */
export interface ReportConventions {
  periods_per_year: number;
  risk_free_rate_pct: number;
  std_ddof: number;
  fill_timing: string;
  costs: string;
  monthly_probability: string;
  profit_loss: string;
  open_positions: string;
  day_axis: string;
  order_sizing: string;
  holding_days: string;
  rolling_windows: string;
  source: string;
  /** Data source by benchmark. */
  benchmark_sources: Record<string, string>;
}

/** The full report (camelCase field names as the product's clients expect). */
export interface BacktestReport {
  summary: BacktestSummary;
  trades: ReportTrade[];
  dailyPortfolio: ReportDay[];
  monthlyPerformance: ReportMonth[];
  openPositions: ReportOpenPosition[];
  source: string;
  spec: StrategySpec;
  engine_version: string;
  conventions: ReportConventions;
  notes: string[];
  /**
   * How the trading days were judged: `provisional` when any simulated day lies outside an official holiday
   * list of the symbols' exchanges (a rule-based estimate), with the count and each exchange's horizon.
   */
  calendar: CalendarProvenance;
}

/** The calendar provenance of a report. */
export interface CalendarProvenance {
  provisional: boolean;
  provisional_days: number;
  official_through: Record<string, string | null>;
}

/** How many of `days` (day numbers) any of `exchanges` judges provisionally, and each exchange's horizon. */
export function calendarProvenance(days: Int32Array, exchanges: readonly ExchangeCode[]): CalendarProvenance {
  const cals = [...new Set(exchanges)].sort().map(getCalendar);
  const byYear = new Map<string, boolean>();
  let provisionalDays = 0;
  for (const day of days) {
    const date = fromDayNumber(day);
    const year = date.slice(0, 4);
    let p = byYear.get(year);
    if (p === undefined) byYear.set(year, p = cals.some((c) => c.isProvisional(`${year}-01-01`)));
    if (p) provisionalDays++;
  }
  return {
    provisional: provisionalDays > 0,
    provisional_days: provisionalDays,
    official_through: Object.fromEntries(cals.map((c) => [c.exchange.code, c.officialThrough()])),
  };
}

/**
 * Entry signals of a run on or after its start, for the note of a run without trades: tickers simulated, tickers
 * the static filters removed, signals as the rule fired, those left by the dynamic filters (traded value,
 * fundamentals), and those where one lot cost no more than a position's budget.
 */
export interface EntrySignalCounts {
  tickers: number;
  filteredOut: number;
  raw: number;
  eligible: number;
  affordable: number;
}

/** Why a run made no trades, from its signal counts (one sentence for `notes`). */
export function noTradeReason(c: EntrySignalCounts): string {
  const where = `${c.tickers} ticker(s)` +
    (c.filteredOut ? ` (${c.filteredOut} removed by the filters)` : "");
  if (c.raw === 0) return `No trades: no buy signal fired between start and end on any of ${where}`;
  if (c.eligible === 0) {
    return `No trades: buy signals fired ${c.raw} time(s) on ${where}, but the minimum traded value or ` +
      "fundamental filters blocked every one";
  }
  if (c.affordable === 0) {
    return `No trades: capital below one lot of every candidate: buy signals fired ${c.eligible} time(s) on ` +
      `${where}, but one lot (lot size × price + fee) cost more than a position's budget (capital × position size)`;
  }
  return `No trades: buy signals fired ${c.eligible} time(s) on ${where}, but no order filled (each was under ` +
    "the minimum position, or fell on the last day with nothing after it to fill at)";
}

/** Inputs of `buildReport`. */
export interface ReportInput {
  spec: StrategySpec;
  sim: SimulationResult;
  benchmarks: { symbol: string; days: Int32Array; close: Float64Array }[];
  /** The data source of the run (every source its symbols and benchmarks came from, joined by "+"). */
  source: string;
  /** Where each benchmark's bars came from (a private import can stand in for the public series). */
  benchmarkSources?: Record<string, string>;
  engineVersion: string;
  trials?: number;
  firstDate: string;
  /** Exchanges of the simulated symbols (for the calendar provenance); none means none is judged. */
  exchanges?: readonly ExchangeCode[];
  /** Entry-signal counts; a run without trades says why in `notes`. */
  signals?: EntrySignalCounts;
}

/** Aligns a benchmark's closes to the simulation days (carrying the last close over gaps). */
function align(days: Int32Array, b: { days: Int32Array; close: Float64Array }): Float64Array {
  const out = new Float64Array(days.length).fill(NaN);
  let k = -1;
  for (let i = 0; i < days.length; i++) {
    while (k + 1 < b.days.length && b.days[k + 1] <= days[i]) k++;
    out[i] = k >= 0 ? b.close[k] : NaN;
  }
  const first = out.find((x) => Number.isFinite(x)) ?? NaN;
  return out.map((x) => (Number.isFinite(x) ? x : first));
}

/** Builds the report. */
export function buildReport(input: ReportInput): BacktestReport {
  const { spec, sim } = input;
  const n = sim.equity.length;
  const initial = spec.capital;
  const final = n ? sim.equity[n - 1] : initial;
  const curve = Float64Array.from([initial, ...sim.equity]);
  const returns = dailyReturns(curve);
  const dd = drawdowns(curve);
  const rf = spec.risk_free_pct / 100;
  const sells = sim.trades.filter((t) => t.action === "SELL");
  const wins = sells.filter((t) => t.profitLoss! > 0), losses = sells.filter((t) => t.profitLoss! < 0);
  const grossProfit = wins.reduce((s, t) => s + t.profitLoss!, 0);
  const grossLoss = -losses.reduce((s, t) => s + t.profitLoss!, 0);
  const bench = input.benchmarks.map((b) => ({ symbol: b.symbol, close: align(sim.days, b) }));
  const b0 = bench[0];
  const benchReturns = b0 ? dailyReturns(b0.close) : null;
  const ab = benchReturns ? alphaBeta(returns.subarray(1), benchReturns) : { alpha: null, beta: null };
  const annual = annualisedReturn(initial, final, n);
  const best = sells.reduce<typeof sells[number] | null>(
    (m, t) => (!m || t.profitLossPercent! > m.profitLossPercent! ? t : m),
    null,
  );
  const worst = sells.reduce<typeof sells[number] | null>(
    (m, t) => (!m || t.profitLossPercent! < m.profitLossPercent! ? t : m),
    null,
  );
  const traded = sim.trades.reduce((s, t) => s + t.value, 0);
  const avgEquity = n ? sim.equity.reduce((s, x) => s + x, 0) / n : initial;
  const notes: string[] = [];
  const provenance = calendarProvenance(sim.days, input.exchanges ?? []);
  if (provenance.provisional) {
    notes.push(
      `${provenance.provisional_days} trading days lie outside an official holiday list: they follow a ` +
        `rule-based holiday estimate (provisional)`,
    );
  }
  if (sim.trades.length === 0 && input.signals) notes.push(noTradeReason(input.signals));
  if (n < MIN_DAYS_FOR_ANNUALISED) {
    notes.push(`Fewer than ${MIN_DAYS_FOR_ANNUALISED} trading days: annualised figures are null`);
  }
  const summary: BacktestSummary = {
    initialCapital: initial,
    finalValue: r4(final),
    totalReturn: r4((final / initial - 1) * 100),
    annualizedReturn: r4(annual),
    volatility: n >= MIN_DAYS_FOR_ANNUALISED
      ? r4((sampleStd(returns) ?? NaN) * Math.sqrt(TRADING_DAYS_PER_YEAR) * 100)
      : null,
    benchmarkReturn: b0 ? r4((b0.close[n - 1] / b0.close[0] - 1) * 100) : null,
    totalTrades: sim.trades.length,
    closedTrades: sells.length,
    winningTrades: wins.length,
    losingTrades: losses.length,
    breakevenTrades: sells.length - wins.length - losses.length,
    winRate: sells.length ? r4((wins.length / sells.length) * 100) : null,
    maxDrawdown: r4(dd.max),
    sharpeRatio: n >= MIN_DAYS_FOR_ANNUALISED ? r4(sharpeRatio(returns, rf)) : null,
    sortinoRatio: n >= MIN_DAYS_FOR_ANNUALISED ? r4(sortinoRatio(returns, rf)) : null,
    calmarRatio: annual !== null && dd.max < 0 ? r4(annual / Math.abs(dd.max)) : null,
    profitFactor: grossLoss > 0 ? r4(grossProfit / grossLoss) : null,
    alpha: r4(ab.alpha),
    beta: r4(ab.beta),
    alphaVsBuyAndHold: b0
      ? r4((final / initial - 1) * 100 - (b0.close[n - 1] / b0.close[0] - 1) * 100)
      : null,
    averageHoldingDays: sells.length
      ? r4(sells.reduce((s, t) => s + t.holdingDays!, 0) / sells.length)
      : null,
    bestTrade: best ? { ticker: best.symbol, return: r4(best.profitLossPercent!) } : null,
    worstTrade: worst ? { ticker: worst.symbol, return: r4(worst.profitLossPercent!) } : null,
    exposure: n ? r4((sim.positions.filter((p) => p > 0).length / n) * 100) : null,
    turnover: n >= MIN_DAYS_FOR_ANNUALISED ? r4(traded / avgEquity / (n / TRADING_DAYS_PER_YEAR)) : null,
    totalFees: r4(sim.totalFees),
    probabilisticSharpe: r4(probabilisticSharpe(returns)),
    deflatedSharpe: input.trials ? r4(deflatedSharpe(returns, input.trials)) : null,
  };
  const ihsg = bench.find((b) => b.symbol === "^JKSE"), lq45 = bench.find((b) => b.symbol === "LQ45");
  const dailyPortfolio = Array.from(sim.days, (d, i): ReportDay => {
    const normalized: Record<string, number | null> = {};
    for (const b of bench) normalized[`${b.symbol}Normalized`] = r4((b.close[i] / b.close[0]) * 100);
    return Object.assign({
      date: fromDayNumber(d),
      portfolioValue: r4(sim.equity[i]),
      cash: r4(sim.cash[i]),
      portfolioNormalized: r4((sim.equity[i] / initial) * 100),
      drawdown: r4(dd.series[i + 1] * 100),
      ihsgValue: ihsg ? r4((ihsg.close[i] / ihsg.close[0]) * 100) : null,
      lq45Value: lq45 ? r4((lq45.close[i] / lq45.close[0]) * 100) : null,
    }, normalized);
  });
  const months = new Map<
    string,
    {
      first: number;
      last: number;
      up: number;
      days: number;
      b0: number;
      b1: number;
      wins: number;
      sells: number;
    }
  >();
  sim.days.forEach((d, i) => {
    const date = fromDayNumber(d);
    const key = date.slice(0, 7);
    const prev = i === 0 ? initial : sim.equity[i - 1];
    const m = months.get(key) ??
      {
        first: prev,
        last: prev,
        up: 0,
        days: 0,
        b0: b0 ? (i ? b0.close[i - 1] : b0.close[0]) : NaN,
        b1: NaN,
        wins: 0,
        sells: 0,
      };
    m.last = sim.equity[i];
    m.days++;
    if (sim.equity[i] > prev) m.up++;
    if (b0) m.b1 = b0.close[i];
    months.set(key, m);
  });
  for (const t of sim.trades) {
    const m = months.get(fromDayNumber(t.day).slice(0, 7));
    if (!m) continue;
    if (t.action === "SELL") (m.sells++, t.profitLoss! > 0 && m.wins++);
  }
  const monthlyPerformance = [...months].map(([key, m]) => ({
    month: `${MONTHS[Number(key.slice(5, 7)) - 1]} ${key.slice(2, 4)}`,
    returns: r4((m.last / m.first - 1) * 100),
    benchmarkReturns: b0 ? r4((m.b1 / m.b0 - 1) * 100) : null,
    winRate: m.sells ? r4((m.wins / m.sells) * 100) : null,
    probability: r4(m.up / m.days),
    tradesCount: m.sells,
  }));
  return {
    summary,
    trades: sim.trades.map(reportTradeOf),
    dailyPortfolio,
    monthlyPerformance,
    openPositions: sim.open.map((p) => ({
      ...p,
      unrealizedProfitLoss: r4((p.lastClose - p.entryPrice) * p.quantity),
    })),
    source: input.source,
    spec,
    engine_version: input.engineVersion,
    conventions: {
      periods_per_year: TRADING_DAYS_PER_YEAR,
      risk_free_rate_pct: spec.risk_free_pct,
      std_ddof: 1,
      fill_timing: spec.fill === "next_open"
        ? "decided at bar t's close, filled at bar t+1's open"
        : "filled at bar t's close",
      costs:
        "fees in percent of traded value with a minimum fee; slippage moves the fill price against the trade",
      monthly_probability: "share of the month's trading days on which the portfolio value rose",
      profit_loss: "per SELL: (sell price − buy price) × quantity, prices after slippage, fees not included",
      open_positions: spec.close_at_end ? "sold at the last close" : "valued at the last close, not sold",
      day_axis: "the exchanges' trading days from the first to the last simulated bar (published holiday " +
        "tables, rules or 24/7; where the calendar only guesses weekdays, the bars' days), plus any day with a " +
        "bar; a symbol without a bar on a day (suspended) neither trades nor triggers that day, is valued at " +
        "its last close, and a next-open order for it lapses",
      order_sizing: spec.fill === "next_open"
        ? "sized on the decision bar's close, then cut to the whole lots cash covers at the next open after " +
          "fees, so a next-open buy can be a lot or two smaller than cash would allow"
        : "sized on the bar's close and cut to the whole lots cash covers there after fees",
      holding_days:
        "trading days on the run's day axis from the entry fill to the exit fill (bought at one " +
        "open and sold at the next session's open: 1); risk.max_holding_days counts the symbol's own bars after " +
        "the entry bar (a suspension does not use them up)",
      rolling_windows: "moving sums never drift: decimal data (prices, volumes) is summed exactly, other " +
        "series window by window, so a window's value does not depend on the run's start date",
      source: "every data source the symbols and benchmarks came from; benchmark_sources names each " +
        "benchmark's",
      benchmark_sources: input.benchmarkSources ?? {},
    },
    notes,
    calendar: provenance,
  };
}
