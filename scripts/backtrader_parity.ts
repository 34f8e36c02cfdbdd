/**
 * Parity of the backtrader export with Quantedge's engine: for each spec, runs the engine on CSV bars (one
 * `<SYMBOL>.csv` per ticker: date,open,high,low,close,volume) and the exported Python (`toBacktraderCode`) in
 * backtrader 1.9 on the same files, and compares every fill (day, side, quantity, price to 1e-9 relative) and
 * the final value (1e-6 relative).
 *
 *   deno run --allow-read --allow-write=.tmp --allow-run --allow-env scripts/backtrader_parity.ts [--json]
 *
 * Python is `python3` (or `$PYTHON`); backtrader is found by `python3 -c "import backtrader"`, with
 * `$BACKTRADER_PYTHONPATH` put on `PYTHONPATH` when set. The specs are `PARITY_SPECS`; the bars are
 * tests/fixtures/backtrader/data (see tests/fixtures/SOURCES.md).
 */
import { simulate, type SymbolInput } from "../domain/backtest/engine.ts";
import { toDayNumber } from "../domain/calendar/dates.ts";
import { toBacktraderCode } from "../domain/strategy/backtrader/backtrader_export.ts";
import { parseBacktraderCode } from "../domain/strategy/backtrader/backtrader_import.ts";
import { createEvalContext, evaluate } from "../domain/strategy/evaluate.ts";
import { parseExpression } from "../domain/strategy/expression.ts";
import { type StrategySpec, StrategySpecSchema } from "../domain/strategy/spec.ts";
import { atr } from "../domain/indicators/oscillators.ts";

/** The engine's warm-up: calendar days of bars loaded before `start` (`run_backtest.ts` `WARMUP_DAYS`). */
const WARMUP_DAYS = 400;

/** The fixture bars' folder. */
export const PARITY_DATA_DIR = new URL("../tests/fixtures/backtrader/data/", import.meta.url);

/** One fill, as compared. */
export interface ParityFill {
  day: string;
  symbol: string;
  side: "BUY" | "SELL";
  quantity: number;
  price: number;
}

/** The specs of the parity set (by name), as a client would send them. */
export const PARITY_SPECS: Record<string, unknown> = {
  sma_cross: {
    name: "SMA 20/50 cross",
    universe: { tickers: ["AAA"] },
    entry: "crosses_above(sma(close, 20), sma(close, 50))",
    exit: "crosses_below(sma(close, 20), sma(close, 50))",
  },
  ema_cross: {
    name: "EMA 12/26 cross",
    universe: { tickers: ["BBB"] },
    entry: "crosses_above(ema(close, 12), ema(close, 26))",
    exit: "crosses_below(ema(close, 12), ema(close, 26))",
  },
  rsi_reversion: {
    name: "RSI 30/70",
    universe: { tickers: ["CCC"] },
    entry: "rsi(close, 14) < 30",
    exit: "rsi(close, 14) > 70",
  },
  level_cross: {
    name: "RSI crosses 50, close crosses a round number",
    universe: { tickers: ["DDD"] },
    entry: "crosses_above(rsi(close, 7), 50) or crosses_above(close, 30)",
    exit: "crosses_below(rsi(close, 7), 45) or crosses_below(close, 25)",
  },
  bollinger: {
    name: "Bollinger reversion",
    universe: { tickers: ["DDD"] },
    entry: "close < bb_lower(close, 20, 2)",
    exit: "close > bb_middle(close, 20)",
  },
  macd: {
    name: "MACD signal cross",
    universe: { tickers: ["AAA"] },
    entry: "crosses_above(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
    exit: "crosses_below(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
  },
  breakout: {
    name: "Donchian breakout",
    universe: { tickers: ["BBB"] },
    entry: "close > delay(highest(high, 20), 1)",
    exit: "close < delay(lowest(low, 10), 1)",
  },
  stop_loss: {
    name: "SMA trend with stop",
    universe: { tickers: ["DDD"] },
    entry: "close > sma(close, 50) and rsi(close, 14) > 50",
    exit: "close < sma(close, 50)",
    risk: { stop_loss_pct: 4 },
  },
  take_profit: {
    name: "RSI dip with target",
    universe: { tickers: ["AAA"] },
    entry: "rsi(close, 14) < 40",
    exit: "rsi(close, 14) > 75",
    risk: { take_profit_pct: 6 },
  },
  stop_and_target: {
    name: "EMA cross with stop and target",
    universe: { tickers: ["CCC"] },
    entry: "crosses_above(ema(close, 10), ema(close, 30))",
    exit: "crosses_below(ema(close, 10), ema(close, 30))",
    risk: { stop_loss_pct: 3, take_profit_pct: 5 },
  },
  percent_sizing: {
    name: "Half of equity on SMA cross",
    universe: { tickers: ["BBB"] },
    entry: "crosses_above(sma(close, 10), sma(close, 30))",
    exit: "crosses_below(sma(close, 10), sma(close, 30))",
    sizing: { method: "percent_equity", percent: 50 },
  },
  fixed_quantity: {
    name: "Fixed 150 shares",
    universe: { tickers: ["CCC"] },
    entry: "crosses_above(close, sma(close, 20))",
    exit: "crosses_below(close, sma(close, 20))",
    sizing: { method: "fixed_quantity", quantity: 150 },
  },
  fixed_cash: {
    name: "Fixed 25k cash",
    universe: { tickers: ["DDD"] },
    entry: "roc(close, 10) > 5",
    exit: "roc(close, 10) < -5",
    sizing: { method: "fixed_cash", cash: 25000 },
  },
  max_positions: {
    name: "Momentum top 2 of 4",
    universe: { tickers: ["AAA", "BBB", "CCC", "DDD"] },
    entry: "close > sma(close, 20) and rsi(close, 14) > 55",
    exit: "close < sma(close, 20)",
    rank_by: "roc(close, 20)",
    sizing: { method: "percent_equity", percent: 45, max_positions: 2 },
    risk: { stop_loss_pct: 8 },
  },
  fees: {
    name: "Fees buy 0.15 sell 0.25 min 5",
    universe: { tickers: ["AAA", "CCC"] },
    entry: "crosses_above(ema(close, 8), ema(close, 21))",
    exit: "crosses_below(ema(close, 8), ema(close, 21))",
    sizing: { method: "percent_equity", percent: 48, max_positions: 2 },
    costs: { buy_fee_pct: 0.15, sell_fee_pct: 0.25, min_fee: 5 },
  },
  trailing_and_days: {
    name: "Trailing stop and max holding days",
    universe: { tickers: ["AAA", "BBB", "DDD"] },
    entry: "crosses_above(close, ema(close, 20))",
    exit: "rsi(close, 14) > 80",
    sizing: { method: "percent_equity", percent: 30, max_positions: 3 },
    risk: { trailing_stop_pct: 5, max_holding_days: 15 },
  },
  risk_adjusted: {
    name: "ATR risk sizing",
    universe: { tickers: ["BBB", "CCC"] },
    entry: "close > bb_upper(close, 20, 2)",
    exit: "close < bb_middle(close, 20)",
    sizing: { method: "risk_adjusted", risk_pct: 1, atr_period: 14, atr_multiple: 2, max_positions: 2 },
  },
  other_functions: {
    name: "Z-score, volume and correlation",
    universe: { tickers: ["AAA", "DDD"] },
    entry: "zscore(close, 20) < -1.5 and volume > volume_sma(20) and abs(delta(close, 1)) / close < 0.05",
    exit: "zscore(close, 20) > 0 or ts_rank(close, 10) > 0.9 or correlation(close, volume, 20) > 0.8",
    rank_by: "-stdev(log(close), 20) + obv() * 0 + vpt() * 0 + vwap(10) * 0",
    sizing: { method: "percent_equity", percent: 50, max_positions: 2 },
  },
  expression_coverage: {
    name: "MACD histogram, ATR range and rolling statistics",
    universe: { tickers: ["BBB", "CCC"] },
    entry:
      "macd_hist(close, 12, 26, 9) > 0 and not (close < ts_mean(close, 30)) and (high - low) / close < 0.04 " +
      "and volume != 0",
    exit:
      "-ts_std(close, 10) < -atr(14) or macd_hist(close, 12, 26, 9) < 0 or delta(rsi(close, 14), 3) < -15",
    rank_by: "ema(rsi(close, 14), 5) / 100 - delay(roc(close, 5), 2)",
    sizing: { method: "percent_equity", percent: 50, max_positions: 2 },
    risk: { stop_loss_pct: 6, take_profit_pct: 9 },
  },
  slippage: {
    name: "Slippage with stop and trailing stop",
    universe: { tickers: ["AAA", "CCC", "DDD"] },
    entry: "crosses_above(sma(close, 10), sma(close, 40))",
    exit: "crosses_below(sma(close, 10), sma(close, 40))",
    sizing: { method: "percent_equity", percent: 33, max_positions: 3 },
    risk: { stop_loss_pct: 5, trailing_stop_pct: 8 },
    costs: { buy_fee_pct: 0.1, sell_fee_pct: 0.2, min_fee: 0, slippage_pct: 0.05 },
  },
  suspended_symbol: {
    name: "Three symbols, one listed late and suspended twice",
    universe: { tickers: ["AAA", "BBB", "EEE"] },
    entry: "close > open",
    exit: "close < open and close < delay(close, 1)",
    rank_by: "volume",
    sizing: { method: "percent_equity", percent: 45, max_positions: 2 },
    risk: { stop_loss_pct: 2, take_profit_pct: 3, max_holding_days: 3 },
  },
  line_arithmetic: {
    name: "Averages of conditions and spreads",
    universe: { tickers: ["AAA", "DDD"] },
    entry: "sma(close > open and volume > volume_sma(20), 5) >= 0.6 and ema(high - low, 10) / close < 0.05",
    exit: "sma(not (close > open) or close != open, 5) > 0.8 or highest(delay(close, 1), 5) / close > 1.06",
    rank_by: "zscore(close / delay(close, 1) - 1, 20)",
    sizing: { method: "fixed_cash", cash: 30000, max_positions: 2 },
  },
};

/** The folder of the backtrader strategies written as users write them (tests/fixtures/backtrader/*.py). */
const USER_STRATEGIES_DIR = new URL("../tests/fixtures/backtrader/", import.meta.url);
/** The fixture symbols the imported user strategies are run on, in turn. */
const PARITY_SYMBOLS = ["AAA", "BBB", "CCC", "DDD"];

/**
 * The user-written backtrader strategies of tests/fixtures/backtrader, imported (`parseBacktraderCode`) and
 * re-aimed at the parity bars: each keeps its rules, sizing, risk and costs, and runs on one fixture symbol (a
 * multi-data strategy on all four) over the fixtures' dates. Those filling at the close (`set_coc`) are left
 * out: the export fills at the next open and says so.
 */
export function importedUserSpecs(): Record<string, StrategySpec> {
  const out: Record<string, StrategySpec> = {};
  const files = [...Deno.readDirSync(USER_STRATEGIES_DIR)].filter((f) => f.isFile && f.name.endsWith(".py"))
    .map((f) => f.name).sort();
  files.forEach((file, i) => {
    const spec = parseBacktraderCode(Deno.readTextFileSync(new URL(file, USER_STRATEGIES_DIR)), ["code"], {
      universe: { tickers: ["AAA"] },
    });
    if (spec.fill !== "next_open") return;
    const tickers = (spec.universe.tickers?.length ?? 1) > 1 ? PARITY_SYMBOLS : [PARITY_SYMBOLS[i % 4]];
    out[`user_${file.replace(/\.py$/, "")}`] = StrategySpecSchema.parse({
      ...spec,
      universe: { tickers },
      start: "2021-09-01",
      end: "2023-11-17",
    });
  });
  return out;
}

/**
 * Every spec of the set, parsed, with its run dates filled in (the fixtures cover 2021-01-04 … 2023-11-17), then
 * the imported user strategies (`importedUserSpecs`).
 */
export function paritySpecs(): Record<string, StrategySpec> {
  const out: Record<string, StrategySpec> = {};
  for (const [name, raw] of Object.entries(PARITY_SPECS)) {
    out[name] = StrategySpecSchema.parse({ start: "2021-09-01", end: "2023-11-17", ...(raw as object) });
  }
  return { ...out, ...importedUserSpecs() };
}

interface Bars {
  days: Int32Array;
  dates: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** A `date,open,high,low,close,volume` file's bars from `from` to `to` (inclusive). */
function readCsv(text: string, from: string, to: string): Bars {
  const rows = text.trim().split(/\r?\n/).slice(1).map((l) => l.split(","))
    .filter((r) => r[0] >= from && r[0] <= to);
  const col = (k: number) => Float64Array.from(rows, (r) => Number(r[k]));
  return {
    days: Int32Array.from(rows, (r) => toDayNumber(r[0])),
    dates: rows.map((r) => r[0]),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
  };
}

const isoMinusDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/** Quantedge's engine on the CSV bars of `dataDir` (lot size 1, as the export assumes). */
export async function runEngine(
  spec: StrategySpec,
  dataDir: URL = PARITY_DATA_DIR,
): Promise<{ fills: ParityFill[]; finalValue: number }> {
  const inputs: SymbolInput[] = [];
  const dateOf = new Map<number, string>();
  for (const symbol of spec.universe.tickers ?? []) {
    const bars = readCsv(
      await Deno.readTextFile(new URL(`${symbol}.csv`, dataDir)),
      isoMinusDays(spec.start, WARMUP_DAYS),
      spec.end,
    );
    bars.days.forEach((d, k) => dateOf.set(d, bars.dates[k]));
    const ctx = createEvalContext(bars);
    const from = bars.dates.findIndex((d) => d >= spec.start);
    const cut = (a: Float64Array) => a.subarray(from);
    const a = spec.sizing.method === "risk_adjusted"
      ? atr(bars.high, bars.low, bars.close, spec.sizing.atr_period)
      : new Float64Array(bars.days.length).fill(NaN);
    inputs.push({
      symbol,
      name: symbol,
      lotSize: 1,
      days: bars.days.subarray(from),
      open: cut(bars.open),
      high: cut(bars.high),
      low: cut(bars.low),
      close: cut(bars.close),
      entry: cut(evaluate(parseExpression(spec.entry), ctx)),
      exit: cut(evaluate(parseExpression(spec.exit), ctx)),
      rank: cut(evaluate(parseExpression(spec.rank_by), ctx)),
      atr: cut(a),
      entryText: spec.entry,
      exitText: spec.exit,
    });
  }
  const sim = simulate(spec, inputs);
  return {
    fills: sim.trades.map((t) => ({
      day: dateOf.get(t.day)!,
      symbol: t.symbol,
      side: t.action,
      quantity: t.quantity,
      price: t.price,
    })),
    finalValue: sim.equity[sim.equity.length - 1],
  };
}

/** How to run backtrader here: the Python command and its environment, or why it cannot run. */
export async function findBacktrader(
  env: { python?: string; pythonPath?: string } = {
    python: Deno.env.get("PYTHON"),
    pythonPath: Deno.env.get("BACKTRADER_PYTHONPATH"),
  },
): Promise<{ python: string; env: Record<string, string> } | { missing: string }> {
  const python = env.python ?? "python3";
  const pyEnv: Record<string, string> = env.pythonPath ? { PYTHONPATH: env.pythonPath } : {};
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import backtrader; print(backtrader.__version__)"],
      env: pyEnv,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      return {
        missing: `backtrader is not importable by ${python} (set BACKTRADER_PYTHONPATH to its folder)`,
      };
    }
    return { python, env: pyEnv };
  } catch (e) {
    return { missing: `${python} cannot be run: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The exported Python of `spec` run in backtrader on the CSV files of `dataDir` (its working directory). */
export async function runBacktrader(
  spec: StrategySpec,
  runner: { python: string; env: Record<string, string> },
  scratch: string,
  dataDir: URL = PARITY_DATA_DIR,
): Promise<{ fills: ParityFill[]; finalValue: number; code: string }> {
  const code = toBacktraderCode(spec);
  await Deno.mkdir(scratch, { recursive: true });
  const file = `${scratch}/${spec.name.replace(/[^A-Za-z0-9]+/g, "_")}.py`;
  await Deno.writeTextFile(file, code);
  const out = await new Deno.Command(runner.python, {
    args: [await Deno.realPath(file)],
    cwd: dataDir.pathname,
    env: runner.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`backtrader run of "${spec.name}" failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  const fills: ParityFill[] = [];
  let finalValue = NaN;
  for (const line of stdout.split("\n")) {
    const w = line.trim().split(/\s+/);
    if (w[0] === "TRADE") {
      fills.push({
        day: w[1],
        symbol: w[2],
        side: w[3] as "BUY" | "SELL",
        quantity: Number(w[4]),
        price: Number(w[5]),
      });
    } else if (w[0] === "FINAL_VALUE") finalValue = Number(w[1]);
  }
  return { fills, finalValue, code };
}

/** Fills in a fixed order: day, symbol, buy before sell (the order a day's fills of one symbol happen in). */
function ordered(fills: ParityFill[]): ParityFill[] {
  return [...fills].sort((a, b) =>
    a.day < b.day
      ? -1
      : a.day > b.day
      ? 1
      : a.symbol < b.symbol
      ? -1
      : a.symbol > b.symbol
      ? 1
      : a.side < b.side
      ? -1
      : a.side > b.side
      ? 1
      : 0
  );
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

/** The comparison of one spec's two runs. */
export interface ParityResult {
  name: string;
  symbols: number;
  engineFills: number;
  backtraderFills: number;
  mismatches: string[];
  finalEngine: number;
  finalBacktrader: number;
  finalRelative: number;
}

/** Compares the fills (1e-9 relative on the price) and the final values (1e-6 relative). */
export function compareRuns(
  name: string,
  symbols: number,
  engine: { fills: ParityFill[]; finalValue: number },
  bt: { fills: ParityFill[]; finalValue: number },
): ParityResult {
  const a = ordered(engine.fills), b = ordered(bt.fills);
  const mismatches: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let k = 0; k < n && mismatches.length < 5; k++) {
    const x = a[k], y = b[k];
    const same = x && y && x.day === y.day && x.symbol === y.symbol && x.side === y.side &&
      x.quantity === y.quantity && relative(x.price, y.price) <= 1e-9;
    if (!same) {
      mismatches.push(
        `fill ${k}: engine ${JSON.stringify(x ?? null)} backtrader ${JSON.stringify(y ?? null)}`,
      );
    }
  }
  const finalRelative = relative(engine.finalValue, bt.finalValue);
  if (!(finalRelative <= 1e-6)) {
    mismatches.push(`final value: engine ${engine.finalValue} backtrader ${bt.finalValue}`);
  }
  return {
    name,
    symbols,
    engineFills: a.length,
    backtraderFills: b.length,
    mismatches,
    finalEngine: engine.finalValue,
    finalBacktrader: bt.finalValue,
    finalRelative,
  };
}

if (import.meta.main) {
  const runner = await findBacktrader();
  if ("missing" in runner) {
    console.error(`Cannot run backtrader: ${runner.missing}`);
    Deno.exit(2);
  }
  const t0 = performance.now();
  const results: ParityResult[] = [];
  for (const [name, spec] of Object.entries(paritySpecs())) {
    const engine = await runEngine(spec);
    const bt = await runBacktrader(spec, runner, ".tmp/backtrader_parity");
    results.push(compareRuns(name, spec.universe.tickers!.length, engine, bt));
  }
  const seconds = (performance.now() - t0) / 1000;
  const fills = results.reduce((s, r) => s + r.engineFills, 0);
  const bad = results.filter((r) => r.mismatches.length > 0);
  if (Deno.args.includes("--json")) console.log(JSON.stringify({ results, seconds }, null, 2));
  else {
    console.log(
      "| spec | symbols | fills (engine / backtrader) | final value | relative difference | mismatches |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.symbols} | ${r.engineFills} / ${r.backtraderFills} | ${
          r.finalEngine.toFixed(2)
        } | ` +
          `${r.finalRelative.toExponential(1)} | ${
            r.mismatches.length === 0 ? "0" : r.mismatches.join("; ")
          } |`,
      );
    }
    console.log(
      `\n${results.length} specs, ${
        results.reduce((s, r) => s + r.symbols, 0)
      } spec-symbols, ${fills} fills ` +
        `compared, ${bad.length} with mismatches, max final-value relative difference ` +
        `${Math.max(...results.map((r) => r.finalRelative)).toExponential(2)}, ${seconds.toFixed(1)} s`,
    );
  }
  if (bad.length > 0) Deno.exit(1);
}
