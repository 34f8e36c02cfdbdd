/**
 * The engine's resume (`createSimulation(…, resume)` from `snapshot()`): stopping after every k-th day and
 * resuming from the snapshot (through JSON, as a store keeps it) gives the uninterrupted run's trades and daily
 * series bit for bit — a property over random specs (fills, stops, trailing stops, targets, max holding days,
 * every sizing method, several symbols, suspensions, session-only days) with a seeded PRNG.
 */
import assert from "node:assert/strict";
import {
  createSimulation,
  type EngineState,
  type SymbolInput,
  type Trade,
} from "../../../domain/backtest/engine.ts";
import { BadRequestError } from "../../../domain/errors.ts";
import { type StrategySpec, StrategySpecSchema } from "../../../domain/strategy/spec.ts";

/** mulberry32: a small seeded PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

/** A random world: symbols with random-walk bars, some days missing (suspensions), rule columns at random. */
function randomCase(seed: number) {
  const rnd = prng(seed);
  const nDays = 40 + Math.floor(rnd() * 60);
  const axis = Array.from({ length: nDays }, (_, i) => 20_000 + i);
  // Session-only days: on the calendar but no symbol has a bar.
  const sessionOnly = new Set(axis.filter(() => rnd() < 0.05));
  const nSymbols = 1 + Math.floor(rnd() * 6);
  const withConfidence = rnd() < 0.5;
  const inputs: SymbolInput[] = [];
  for (let s = 0; s < nSymbols; s++) {
    const days = axis.filter((d) => !sessionOnly.has(d) && rnd() > 0.08);
    const n = days.length;
    const open = new Float64Array(n), high = new Float64Array(n), low = new Float64Array(n);
    const close = new Float64Array(n), atr = new Float64Array(n);
    const entry = new Float64Array(n), exit = new Float64Array(n), rank = new Float64Array(n);
    const ec = new Uint8Array(n), xc = new Uint8Array(n);
    let p = 10 + rnd() * 90;
    for (let i = 0; i < n; i++) {
      const o = p * (1 + (rnd() - 0.5) * 0.06);
      p = Math.max(0.5, o * (1 + (rnd() - 0.5) * 0.1));
      open[i] = o;
      close[i] = p;
      high[i] = Math.max(o, p) * (1 + rnd() * 0.04);
      low[i] = Math.min(o, p) * (1 - rnd() * 0.04);
      atr[i] = i < 3 ? NaN : p * (0.01 + rnd() * 0.05);
      entry[i] = rnd() < 0.25 ? 1 : 0;
      exit[i] = rnd() < 0.15 ? 1 : 0;
      rank[i] = rnd() < 0.1 ? NaN : rnd();
      ec[i] = Math.floor(rnd() * 101);
      xc[i] = Math.floor(rnd() * 101);
    }
    inputs.push({
      symbol: `S${s}`,
      name: `Symbol ${s}`,
      lotSize: pick(rnd, [1, 10, 100]),
      days: Int32Array.from(days),
      open,
      high,
      low,
      close,
      entry,
      exit,
      rank,
      atr,
      entryText: "entry rule",
      exitText: "exit rule",
      ...(withConfidence ? { entryConfidence: ec, exitConfidence: xc } : {}),
    });
  }
  const sessions = Int32Array.from(axis.filter((d) => sessionOnly.has(d) || rnd() < 0.5));
  const maybe = (p: number, v: number) => (rnd() < p ? v : null);
  const sizing = pick(
    rnd,
    [
      { method: "percent_equity", percent: 10 + Math.floor(rnd() * 90) },
      { method: "fixed_cash", cash: 500 + Math.floor(rnd() * 5000) },
      { method: "fixed_quantity", quantity: 1 + Math.floor(rnd() * 200) },
      { method: "risk_adjusted", risk_pct: 0.5 + rnd() * 3, atr_multiple: 1 + rnd() * 3 },
    ] as const,
  );
  const spec = StrategySpecSchema.parse({
    universe: { tickers: inputs.map((s) => s.symbol) },
    entry: "close > 0",
    exit: "close < 0",
    sizing: { ...sizing, max_positions: 1 + Math.floor(rnd() * 4), min_position: rnd() < 0.2 ? 300 : 0 },
    risk: {
      stop_loss_pct: maybe(0.5, 2 + Math.floor(rnd() * 8)),
      take_profit_pct: maybe(0.5, 3 + Math.floor(rnd() * 15)),
      trailing_stop_pct: maybe(0.4, 2 + Math.floor(rnd() * 8)),
      max_holding_days: maybe(0.4, 1 + Math.floor(rnd() * 10)),
    },
    costs: {
      buy_fee_pct: rnd() * 0.3,
      sell_fee_pct: rnd() * 0.3,
      min_fee: rnd() < 0.3 ? 5 : 0,
      slippage_pct: rnd() < 0.5 ? rnd() * 0.2 : 0,
    },
    fill: rnd() < 0.5 ? "next_open" : "close",
    capital: 10_000 + Math.floor(rnd() * 90_000),
    close_at_end: rnd() < 0.5,
    start: "2024-10-04",
    end: "2024-12-31",
  });
  return { spec, inputs, sessions, k: 1 + Math.floor(rnd() * 9) };
}

interface Series {
  trades: Trade[];
  equity: number[];
  cash: number[];
  holdings: number[];
  positions: number[];
  days: number[];
}

/** The run stopped after every k-th day and resumed from its snapshot (round-tripped through JSON). */
function resumedEveryK(spec: StrategySpec, inputs: SymbolInput[], sessions: Int32Array, k: number): Series {
  const out: Series = { trades: [], equity: [], cash: [], holdings: [], positions: [], days: [] };
  let state: EngineState | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const sim = createSimulation(spec, inputs, sessions, state);
    if (sim.totalDays <= k) {
      const r = sim.finish();
      out.trades.push(...r.trades);
      out.equity.push(...r.equity);
      out.cash.push(...r.cash);
      out.holdings.push(...r.holdings);
      out.positions.push(...r.positions);
      out.days.push(...r.days);
      return out;
    }
    for (let d = 0; d < k; d++) {
      sim.advance(1);
      const c = sim.lastClose()!;
      out.equity.push(c.equity);
      out.cash.push(c.cash);
      out.holdings.push(c.holdings);
      out.positions.push(c.positions);
      out.days.push(c.day);
    }
    out.trades.push(...sim.tradesSince(0));
    state = JSON.parse(JSON.stringify(sim.snapshot()));
  }
  throw new Error("did not finish");
}

Deno.test("engine resume: a run stopped after every k-th day and resumed equals the uninterrupted run (60 random cases)", () => {
  let trades = 0, lapsedRuns = 0;
  const methods = new Set<string>(), fills = new Set<string>();
  for (let seed = 1; seed <= 60; seed++) {
    const { spec, inputs, sessions, k } = randomCase(seed);
    methods.add(spec.sizing.method);
    fills.add(spec.fill);
    const full = createSimulation(spec, inputs, sessions);
    const whole = full.finish();
    if (full.lapsedOrders().length > 0) lapsedRuns++;
    const parts = resumedEveryK(spec, inputs, sessions, k);
    const at = `seed ${seed} (k ${k}, ${spec.fill}, ${spec.sizing.method})`;
    assert.deepEqual(parts.trades, whole.trades, `trades, ${at}`);
    assert.deepEqual(parts.days, [...whole.days], `days, ${at}`);
    assert.deepEqual(parts.equity, [...whole.equity], `equity, ${at}`);
    assert.deepEqual(parts.cash, [...whole.cash], `cash, ${at}`);
    assert.deepEqual(parts.holdings, [...whole.holdings], `holdings, ${at}`);
    assert.deepEqual(parts.positions, [...whole.positions], `positions, ${at}`);
    trades += whole.trades.length;
  }
  // The cases exercise what they claim to.
  assert.deepEqual([...methods].sort(), ["fixed_cash", "fixed_quantity", "percent_equity", "risk_adjusted"]);
  assert.deepEqual([...fills].sort(), ["close", "next_open"]);
  assert.ok(trades > 500, `trades in all: ${trades}`);
  assert.ok(lapsedRuns > 0, "some runs have orders that lapse on a suspension");
});

Deno.test("engine snapshot: positions and pending orders by symbol and day, in the engine's order", () => {
  const spec = StrategySpecSchema.parse({
    universe: { tickers: ["A", "B"] },
    entry: "close > 0",
    exit: "close < 0",
    sizing: { method: "fixed_quantity", quantity: 10, max_positions: 2 },
    costs: { buy_fee_pct: 0, sell_fee_pct: 0, min_fee: 0, slippage_pct: 0 },
    capital: 1000,
    start: "2024-10-04",
    end: "2024-12-31",
  });
  const bar = (symbol: string, closes: number[], entry: number[]): SymbolInput => ({
    symbol,
    name: symbol,
    lotSize: 1,
    days: Int32Array.from(closes, (_, i) => 20_000 + i),
    open: Float64Array.from(closes),
    high: Float64Array.from(closes, (c) => c + 1),
    low: Float64Array.from(closes, (c) => c - 1),
    close: Float64Array.from(closes),
    entry: Float64Array.from(entry),
    exit: new Float64Array(closes.length),
    rank: Float64Array.from(closes, () => (symbol === "B" ? 2 : 1)),
    atr: new Float64Array(closes.length).fill(NaN),
    entryText: "e",
    exitText: "x",
  });
  // Day 0: both signal; B ranks first, so B's order is placed first. Day 1: both fill at the open (10 each).
  const sim = createSimulation(spec, [bar("A", [10, 10, 12], [1, 0, 0]), bar("B", [10, 10, 11], [1, 0, 0])]);
  const before = sim.snapshot();
  assert.equal(before.last_day, 19_999);
  assert.equal(before.money, 1000);
  sim.advance(1);
  assert.deepEqual(sim.snapshot(), {
    last_day: 20_000,
    money: 1000,
    total_fees: 0,
    positions: [],
    pending: [
      { symbol: "B", action: "BUY", quantity: 10, reason: "entry: e", confidence: null },
      { symbol: "A", action: "BUY", quantity: 10, reason: "entry: e", confidence: null },
    ],
  });
  sim.advance(2);
  const s = sim.snapshot();
  assert.equal(s.last_day, 20_002);
  assert.equal(s.money, 800);
  assert.deepEqual(s.positions.map((p) => [p.symbol, p.entry_day, p.bars_held, p.holding_days, p.peak]), [
    ["B", 20_001, 1, 1, 12],
    ["A", 20_001, 1, 1, 13],
  ]);
  assert.deepEqual(sim.lastClose(), {
    day: 20_002,
    equity: 800 + 120 + 110,
    cash: 800,
    holdings: 230,
    positions: 2,
  });
});

Deno.test("engine resume: a held symbol missing from the inputs is a 400 naming it", () => {
  const spec = StrategySpecSchema.parse({
    universe: { tickers: ["A"] },
    entry: "close > 0",
    exit: "close < 0",
    start: "2024-10-04",
    end: "2024-12-31",
  });
  const state: EngineState = {
    last_day: 20_000,
    money: 100,
    total_fees: 0,
    positions: [{ symbol: "GONE", quantity: 1, entry_price: 1, entry_day: 19_990, peak: 1, bars_held: 3 }],
    pending: [],
  };
  assert.throws(() => createSimulation(spec, [], undefined, state), (e: Error) => {
    assert.match(e.message, /GONE/);
    assert.ok(e instanceof BadRequestError);
    return true;
  });
});
