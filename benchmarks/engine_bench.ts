/**
 * Backtest engine speed: one symbol × 1,000,000 bars with an SMA(20)/SMA(50) crossover (indicators included),
 * 500 symbols × 2,520 days with an RSI entry and stop/target/max-days exits, and how cost grows with symbols and
 * with days (three sizes each). Bars are a deterministic random walk; no I/O is timed.
 */
import { simulate, type SymbolInput } from "../domain/backtest/engine.ts";
import { createEvalContext, evaluate } from "../domain/strategy/evaluate.ts";
import { parseExpression } from "../domain/strategy/expression.ts";
import { type StrategySpec, StrategySpecSchema } from "../domain/strategy/spec.ts";

function walk(n: number, seed: number) {
  let x = seed >>> 0 || 1;
  const rnd = () => ((x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9 >>> 0) / 4294967296);
  const days = new Int32Array(n),
    open = new Float64Array(n),
    high = new Float64Array(n),
    low = new Float64Array(n);
  const close = new Float64Array(n), volume = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p * (1 + (rnd() - 0.5) * 0.004);
    p = Math.max(1, o * (1 + (rnd() - 0.5) * 0.04));
    days[i] = i;
    open[i] = o;
    close[i] = p;
    high[i] = Math.max(o, p) * (1 + rnd() * 0.01);
    low[i] = Math.min(o, p) * (1 - rnd() * 0.01);
    volume[i] = 1e5 * (0.5 + rnd());
  }
  return { days, open, high, low, close, volume };
}

function prepare(spec: StrategySpec, symbol: string, bars: ReturnType<typeof walk>): SymbolInput {
  const ctx = createEvalContext(bars);
  return {
    symbol,
    name: symbol,
    lotSize: 100,
    ...bars,
    entry: evaluate(parseExpression(spec.entry), ctx),
    exit: evaluate(parseExpression(spec.exit), ctx),
    rank: evaluate(parseExpression(spec.rank_by), ctx),
    atr: new Float64Array(bars.days.length).fill(NaN),
    entryText: spec.entry,
    exitText: spec.exit,
  };
}

const crossover = StrategySpecSchema.parse({
  universe: { tickers: ["X"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  rank_by: "close",
  capital: 1e9,
});
const million = walk(1_000_000, 7);
Deno.bench("1 symbol × 1,000,000 bars, SMA(20)/SMA(50) crossover, next-open fills (indicators included)", {
  group: "targets",
  n: 15,
  warmup: 2,
}, () => {
  simulate(crossover, [prepare(crossover, "X", million)]);
});
/** The same walk with every price rounded to cents, as real quotes are (the exact-decimal SMA path). */
const cents = (x: Float64Array) => x.map((v) => Math.round(v * 100) / 100);
const millionCents = {
  ...million,
  open: cents(million.open),
  high: cents(million.high),
  low: cents(million.low),
  close: cents(million.close),
};
Deno.bench("1 symbol × 1,000,000 bars in cents, SMA(20)/SMA(50) crossover, next-open fills", {
  group: "targets",
  n: 15,
  warmup: 2,
}, () => {
  simulate(crossover, [prepare(crossover, "X", millionCents)]);
});

const rsiSpec = (symbols: number) =>
  StrategySpecSchema.parse({
    universe: { tickers: ["X"] },
    entry: "rsi(close, 14) < 30",
    exit: "rsi(close, 14) > 70",
    sizing: { method: "percent_equity", percent: 5, max_positions: 20 },
    risk: { stop_loss_pct: 5, take_profit_pct: 10, max_holding_days: 20 },
    capital: 10_000_000 * Math.max(1, symbols / 100),
  });
const universe = (symbols: number, days: number) =>
  Array.from({ length: symbols }, (_, i) => walk(days, 1000 + i));
const big = universe(500, 2520);
const spec500 = rsiSpec(500);
Deno.bench("500 symbols × 2,520 days, RSI entry, stop/target/max-days exits, max 20 positions", {
  group: "targets",
  n: 10,
  warmup: 1,
}, () => {
  simulate(spec500, big.map((b, i) => prepare(spec500, `S${i}`, b)));
});

for (const symbols of [50, 150, 500]) {
  const data = big.slice(0, symbols);
  const spec = rsiSpec(symbols);
  Deno.bench(`scaling: ${symbols} symbols × 2,520 days`, { group: "symbols", n: 10, warmup: 1 }, () => {
    simulate(spec, data.map((b, i) => prepare(spec, `S${i}`, b)));
  });
}
for (const days of [630, 1260, 2520]) {
  const data = big.slice(0, 200).map((b) => ({
    days: b.days.subarray(0, days),
    open: b.open.subarray(0, days),
    high: b.high.subarray(0, days),
    low: b.low.subarray(0, days),
    close: b.close.subarray(0, days),
    volume: b.volume.subarray(0, days),
  }));
  const spec = rsiSpec(200);
  Deno.bench(`scaling: 200 symbols × ${days} days`, { group: "days", n: 10, warmup: 1 }, () => {
    simulate(spec, data.map((b, i) => prepare(spec, `S${i}`, b)));
  });
}
