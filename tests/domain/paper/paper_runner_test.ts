/**
 * The paper runner against the backtest: an instance started on D and advanced through E (one day at a time,
 * all at once, or in irregular chunks) gives exactly `runBacktest`'s trades and daily equity over D…E
 * (`close_at_end: false`), and the engine's own series bit for bit; liquidation equals `close_at_end: true`;
 * `latestClosedDate` per exchange; a day whose bars have not arrived waits; the work budget is a 413.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { addDays } from "../../../domain/calendar/dates.ts";
import { createSimulation, type EngineState } from "../../../domain/backtest/engine.ts";
import { reportTradeOf } from "../../../domain/backtest/report.ts";
import { runBacktest } from "../../../domain/backtest/run_backtest.ts";
import { SyncRunTooLargeError } from "../../../domain/backtest/run_errors.ts";
import { loadRunInputs } from "../../../domain/backtest/run_inputs.ts";
import type { MarketData } from "../../../domain/market/types.ts";
import {
  advancePaper,
  latestClosedDate,
  liquidatePaper,
  type PaperDay,
  paperSymbols,
} from "../../../domain/paper/paper_runner.ts";
import { createWorkPacer } from "../../../domain/strategy/cost.ts";
import { type StrategySpec, StrategySpecSchema } from "../../../domain/strategy/spec.ts";
import { openBacktestWorld } from "../../_helpers/backtest_world.ts";

const START = "2025-09-01", END = "2025-12-31";
const OWNER = "usr_paper";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

const oneSymbolSpec = () =>
  StrategySpecSchema.parse({
    name: "paper one",
    universe: { tickers: ["600519.SH"] },
    entry: "crosses_above(close, sma(close, 10))",
    exit: "crosses_below(close, sma(close, 5))",
    sizing: { method: "percent_equity", percent: 90, max_positions: 1 },
    risk: { stop_loss_pct: 6, trailing_stop_pct: 9 },
    start: START,
    end: END,
  });

const manySpec = (tickers: string[], extra: Record<string, unknown> = {}) =>
  StrategySpecSchema.parse({
    name: "paper fifty",
    universe: { tickers },
    entry: "close > ema(close, 20) and rsi(close, 14) < 60",
    exit: "close < ema(close, 10)",
    sizing: { method: "percent_equity", percent: 12, max_positions: 8 },
    risk: { take_profit_pct: 10, max_holding_days: 12, stop_loss_pct: 7 },
    start: START,
    end: END,
    ...extra,
  });

/** Advances a fresh instance through each date of `throughs` in turn. */
async function paperRun(market: MarketData, spec: StrategySpec, symbols: string[], throughs: string[]) {
  let state: EngineState | null = null;
  const days: PaperDay[] = [];
  let last_close: Record<string, number> = {};
  for (const throughDate of throughs) {
    const a = await advancePaper({
      spec,
      symbols,
      ownerId: OWNER,
      state,
      throughDate,
      market,
      maxSymbolBars: 1e9,
    });
    assert.ok(a.days.every((d) => d.date <= throughDate), "never past throughDate");
    if (state) assert.ok(a.days.every((d) => d.date > dateOf(state!.last_day)), "never a day twice");
    days.push(...a.days);
    // Round-tripped as a store keeps it.
    state = JSON.parse(JSON.stringify(a.state));
    if (a.days.length > 0) last_close = a.last_close;
  }
  return { days, state: state!, last_close };
}

/** The backtest over START…end, and the engine's exact series for the same inputs. */
async function reference(market: MarketData, spec: StrategySpec, end: string, closeAtEnd = false) {
  const s = { ...spec, end, close_at_end: closeAtEnd };
  const report = await runBacktest(s, market, { ownerId: OWNER, maxSymbolBars: 1e9, now: () => 0 });
  const symbols = new Set(s.universe.tickers!.map((x) => x.toUpperCase()));
  const loaded = await loadRunInputs(s, symbols, market, {
    ownerId: OWNER,
    maxSymbolBars: 1e9,
    now: () => 0,
    pacer: createWorkPacer(),
    pausedMs: () => 0,
  });
  const sim = createSimulation(s, loaded.inputs, loaded.sessions).finish();
  return { report, sim };
}

/** Asserts the paper days equal the backtest over the same days: trades (every field) and equity. */
function assertParity(days: PaperDay[], ref: Awaited<ReturnType<typeof reference>>, what: string) {
  const fills = days.flatMap((d) => d.fills);
  assert.deepEqual(fills, ref.sim.trades, `${what}: engine trades`);
  assert.deepEqual(fills.map(reportTradeOf), ref.report.trades, `${what}: report trades`);
  assert.deepEqual(days.map((d) => d.date), [...ref.sim.days].map(dateOf), `${what}: days`);
  assert.deepEqual(days.map((d) => d.equity), [...ref.sim.equity], `${what}: equity bit for bit`);
  assert.deepEqual(days.map((d) => d.cash), [...ref.sim.cash], `${what}: cash`);
  assert.deepEqual(days.map((d) => d.holdings), [...ref.sim.holdings], `${what}: holdings`);
  assert.deepEqual(days.map((d) => d.positions), [...ref.sim.positions], `${what}: positions`);
  assert.deepEqual(
    days.map((d) => [d.date, r4(d.equity)]),
    ref.report.dailyPortfolio.map((d) => [d.date, d.portfolioValue]),
    `${what}: report equity curve`,
  );
}

/** Every calendar date from `from` to `to`. */
function calendarDates(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Irregular chunk ends: 1, 2, 3, 5, 8, … calendar days apart, ending on `to`. */
function chunkEnds(from: string, to: string): string[] {
  const out: string[] = [];
  let d = addDays(from, -3); // the first chunk ends before the start: nothing to process yet
  for (let k = 0, step = 1, prev = 1; d < to; k++) {
    out.push(d);
    d = addDays(d, step);
    [step, prev] = [step + prev, step];
    if (step > 20) (step = 1, prev = 1);
  }
  out.push(to);
  return out;
}

Deno.test("paper parity, one symbol: day by day, all at once and in chunks equal runBacktest over the same days", async () => {
  const w = await openBacktestWorld();
  try {
    const spec = oneSymbolSpec();
    const ref = await reference(w.market.data, spec, END);
    assert.ok(ref.sim.days.length >= 60, `${ref.sim.days.length} trading days`);
    assert.ok(ref.sim.trades.length >= 4, `${ref.sim.trades.length} trades`);
    const symbols = ["600519.SH"];
    const daily = await paperRun(w.market.data, spec, symbols, calendarDates(addDays(START, -2), END));
    assertParity(daily.days, ref, "day by day");
    const once = await paperRun(w.market.data, spec, symbols, [END]);
    assertParity(once.days, ref, "all at once");
    assert.deepEqual(once.state, daily.state);
    const chunks = await paperRun(w.market.data, spec, symbols, chunkEnds(START, END));
    assertParity(chunks.days, ref, "chunks");
    assert.deepEqual(chunks.state, daily.state);
    // Every day prefix is the backtest to that day, too.
    const mid = daily.days[29].date;
    assertParity(daily.days.slice(0, 30), await reference(w.market.data, spec, mid), "prefix");
  } finally {
    w.close();
  }
});

Deno.test("paper parity, 50 symbols: day by day, all at once and in chunks equal runBacktest over the same days", async () => {
  const w = await openBacktestWorld();
  try {
    const tickers = (await w.market.data.getUniverse("hs300")).slice(0, 50);
    assert.equal(tickers.length, 50);
    const spec = manySpec(tickers);
    const ref = await reference(w.market.data, spec, END);
    assert.ok(ref.sim.days.length >= 60, `${ref.sim.days.length} trading days`);
    assert.ok(ref.sim.trades.length >= 30, `${ref.sim.trades.length} trades`);
    assert.ok(new Set(ref.sim.trades.map((t) => t.symbol)).size >= 10, "trades across many symbols");
    const sessions = getCalendar("SSE").tradingDaysBetween(START, END);
    const daily = await paperRun(w.market.data, spec, tickers, sessions);
    assertParity(daily.days, ref, "day by day");
    assert.ok(daily.days.some((d) => d.orders.length > 0), "orders placed at closes");
    const once = await paperRun(w.market.data, spec, tickers, [END]);
    assertParity(once.days, ref, "all at once");
    assert.deepEqual(once.state, daily.state);
    const chunks = await paperRun(w.market.data, spec, tickers, chunkEnds(START, END));
    assertParity(chunks.days, ref, "chunks");
    assert.deepEqual(chunks.state, daily.state);
    // Suspensions: some orders lapse, in the paper run as in the backtest (the trades above agree).
    assert.ok(daily.days.some((d) => d.lapsed.length > 0), "some orders lapse on a suspension");
    // The last day's orders are the state's pending orders.
    assert.deepEqual(daily.days.at(-1)!.orders, daily.state.pending);
  } finally {
    w.close();
  }
});

Deno.test("paper parity, 50 symbols filled at the close with fixed cash, and with risk-adjusted sizing: chunks equal runBacktest", async () => {
  const w = await openBacktestWorld();
  try {
    const tickers = (await w.market.data.getUniverse("hs300")).slice(50, 100);
    // Pinned as the backtest orders them: tickers first (upper-cased), then the universe's other members.
    const pinned = await paperSymbols(
      manySpec(["600519.sh", tickers[3]], {
        universe: { tickers: ["600519.sh", tickers[3]], name: "hs300" },
      }),
      w.market.data,
    );
    assert.deepEqual(pinned.slice(0, 2), ["600519.SH", tickers[3]]);
    assert.equal(pinned.length, 300);
    assert.equal(new Set(pinned).size, 300);
    const spec = manySpec(tickers, {
      fill: "close",
      sizing: { method: "fixed_cash", cash: 9_000, max_positions: 6 },
      risk: { trailing_stop_pct: 5 },
    });
    const ref = await reference(w.market.data, spec, END);
    assert.ok(ref.sim.trades.length >= 20);
    const chunks = await paperRun(w.market.data, spec, tickers, chunkEnds(START, END));
    assertParity(chunks.days, ref, "chunks");
    assert.ok(chunks.days.every((d) => d.orders.length === 0), "close fills place no orders");
    // Risk-adjusted sizing (ATR seeded at the first loaded bar, like the rules), filled at the next open.
    const risky = manySpec(tickers, { sizing: { method: "risk_adjusted", risk_pct: 1, max_positions: 6 } });
    const riskyRef = await reference(w.market.data, risky, END);
    assert.ok(riskyRef.sim.trades.length >= 20);
    assertParity(
      (await paperRun(w.market.data, risky, tickers, chunkEnds(START, END))).days,
      riskyRef,
      "atr",
    );
  } finally {
    w.close();
  }
});

Deno.test("liquidatePaper equals runBacktest with close_at_end over the same days", async () => {
  const w = await openBacktestWorld();
  try {
    const tickers = (await w.market.data.getUniverse("hs300")).slice(0, 50);
    const spec = manySpec(tickers);
    let liquidatedSome = false;
    for (const end of ["2025-11-14", "2025-12-12", END]) {
      const paper = await paperRun(w.market.data, spec, tickers, [addDays(START, 20), end]);
      const { report, sim } = await reference(w.market.data, spec, end, true);
      const names = Object.fromEntries(sim.trades.map((t) => [t.symbol, t.name]));
      const lastDate = paper.days.at(-1)!.date;
      const liq = liquidatePaper(paper.state, paper.last_close, spec, lastDate, undefined, names);
      liquidatedSome ||= liq.fills.length > 0;
      assert.ok(liq.fills.every((f) => f.reason === "liquidated on stop"));
      assert.deepEqual(liq.state.positions, []);
      assert.deepEqual(liq.state.pending, []);
      // The same fills but for the reason's words.
      const fills = [...paper.days.flatMap((d) => d.fills), ...liq.fills].map((f) =>
        f.reason === "liquidated on stop" ? { ...f, reason: "close at end" } : f
      );
      assert.deepEqual(fills, sim.trades, `trades through ${end}`);
      assert.deepEqual(fills.map(reportTradeOf), report.trades);
      const equity = paper.days.map((d) => d.equity);
      equity[equity.length - 1] = liq.equity;
      assert.deepEqual(equity, [...sim.equity], `equity through ${end}`);
      assert.equal(liq.state.money, sim.cash.at(-1));
      assert.equal(liq.state.total_fees, sim.totalFees);
    }
    assert.ok(liquidatedSome, "some positions were liquidated");
  } finally {
    w.close();
  }
});

Deno.test("latestClosedDate: each exchange's latest closed session, the earliest of several", () => {
  const at = (iso: string) => Date.parse(iso);
  // SSE closes 15:00 CST = 07:00 UTC; Wednesday 2025-12-10.
  assert.equal(latestClosedDate(["SSE"], at("2025-12-10T06:59:59Z")), "2025-12-09");
  assert.equal(latestClosedDate(["SSE"], at("2025-12-10T07:00:00Z")), "2025-12-10");
  // Monday: before the close, Friday's session.
  assert.equal(latestClosedDate(["SSE"], at("2025-12-08T03:00:00Z")), "2025-12-05");
  // National Day holiday (2025-10-01…08): the last session before it.
  assert.equal(latestClosedDate(["SSE"], at("2025-10-03T12:00:00Z")), "2025-09-30");
  // NYSE closes 16:00 ET = 21:00 UTC in December; Thanksgiving 2025-11-27 is closed.
  assert.equal(latestClosedDate(["NYSE"], at("2025-12-10T20:59:00Z")), "2025-12-09");
  assert.equal(latestClosedDate(["NYSE"], at("2025-12-10T21:00:00Z")), "2025-12-10");
  assert.equal(latestClosedDate(["NYSE"], at("2025-11-27T23:00:00Z")), "2025-11-26");
  // Crypto: the previous UTC day, at any hour.
  assert.equal(latestClosedDate(["CRYPTO"], at("2025-12-10T00:00:01Z")), "2025-12-09");
  assert.equal(latestClosedDate(["CRYPTO"], at("2025-12-10T23:59:59Z")), "2025-12-09");
  assert.equal(latestClosedDate([], at("2025-12-10T12:00:00Z")), "2025-12-09");
  // Mixed: every exchange must have closed the day.
  assert.equal(latestClosedDate(["SSE", "NYSE"], at("2025-12-10T10:00:00Z")), "2025-12-09");
  assert.equal(latestClosedDate(["SSE", "NYSE"], at("2025-12-10T22:00:00Z")), "2025-12-10");
  assert.equal(latestClosedDate(["NYSE", "SSE"], at("2025-10-02T22:00:00Z")), "2025-09-30");
  assert.equal(latestClosedDate(["SSE", "CRYPTO"], at("2025-12-10T08:00:00Z")), "2025-12-09");
});

/** The market with bars only through `cutoff` (later sessions have not arrived), reads counted. */
function arrivedThrough(market: MarketData, cutoff: string) {
  let reads = 0;
  const wrapped: MarketData = Object.create(market);
  wrapped.getBars = (symbol, start, end, ownerId) => {
    reads++;
    return market.getBars(symbol, start, end < cutoff ? end : cutoff, ownerId);
  };
  return { market: wrapped, reads: () => reads };
}

Deno.test("advancePaper: a day whose bars have not arrived is not processed; later it is, as in a backtest", async () => {
  const w = await openBacktestWorld();
  try {
    const tickers = (await w.market.data.getUniverse("hs300")).slice(0, 5);
    const spec = manySpec(tickers);
    const late = arrivedThrough(w.market.data, "2025-10-15");
    const first = await advancePaper({
      spec,
      symbols: tickers,
      ownerId: OWNER,
      state: null,
      throughDate: "2025-10-16",
      market: late.market,
      maxSymbolBars: 1e9,
    });
    assert.equal(first.days.at(-1)!.date, "2025-10-15", "2025-10-16 waits for its bars");
    assert.equal(dateOf(first.state.last_day), "2025-10-15");
    // Asked again before the bars arrive: nothing new, the same state.
    const again = await advancePaper({
      spec,
      symbols: tickers,
      ownerId: OWNER,
      state: first.state,
      throughDate: "2025-10-16",
      market: late.market,
      maxSymbolBars: 1e9,
    });
    assert.deepEqual(again.days, []);
    assert.deepEqual(again.state, first.state);
    // The bars arrive.
    const next = await advancePaper({
      spec,
      symbols: tickers,
      ownerId: OWNER,
      state: first.state,
      throughDate: "2025-10-16",
      market: w.market.data,
      maxSymbolBars: 1e9,
    });
    assert.deepEqual(next.days.map((d) => d.date), ["2025-10-16"]);
    assertParity(
      [...first.days, ...next.days],
      await reference(w.market.data, spec, "2025-10-16"),
      "late bars",
    );
    // Before the start: nothing to do, the start state.
    const early = await advancePaper({
      spec,
      symbols: tickers,
      ownerId: OWNER,
      state: null,
      throughDate: addDays(START, -1),
      market: w.market.data,
      maxSymbolBars: 1e9,
    });
    assert.deepEqual(early.days, []);
    assert.equal(early.state.money, spec.capital);
    assert.equal(dateOf(early.state.last_day), addDays(START, -1));
  } finally {
    w.close();
  }
});

Deno.test("advancePaper: over the symbol-bar budget is a 413 before any bar is read", async () => {
  const w = await openBacktestWorld();
  try {
    const tickers = (await w.market.data.getUniverse("hs300")).slice(0, 50);
    const counted = arrivedThrough(w.market.data, "2099-12-31");
    await assert.rejects(
      advancePaper({
        spec: manySpec(tickers),
        symbols: tickers,
        ownerId: OWNER,
        state: null,
        throughDate: END,
        market: counted.market,
        maxSymbolBars: 10_000,
      }),
      (e: Error) => {
        assert.ok(e instanceof SyncRunTooLargeError);
        assert.match(e.message, /symbol-bars/);
        assert.match(e.message, /10000/);
        return true;
      },
    );
    assert.equal(counted.reads(), 0);
  } finally {
    w.close();
  }
});
