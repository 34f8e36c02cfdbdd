/**
 * Writes export samples for the backtrader importer's round trip: for each sample spec,
 * `<dir>/<name>.py` (`toBacktraderCode`) and `<dir>/<name>.spec.json` (the parsed spec, defaults filled in).
 *
 *   deno run --allow-read --allow-write=.tmp scripts/backtrader_export_samples.ts [dir]
 *
 * The default dir is `.tmp/export_samples`. The samples are the parity set (`backtrader_parity.ts`) and a few
 * specs with features that have no backtrader form (they export as `# quantedge:` comment lines).
 */
import { toBacktraderCode } from "../domain/strategy/backtrader/backtrader_export.ts";
import { type StrategySpec, StrategySpecSchema } from "../domain/strategy/spec.ts";
import { PARITY_SPECS } from "./backtrader_parity.ts";

/** Specs whose features are carried as comments (a universe name and filters, slippage, close fills, …). */
const CARRIED_SPECS: Record<string, unknown> = {
  universe_filters: {
    name: "LQ45 momentum with filters",
    universe: {
      name: "lq45",
      filters: {
        market_cap: ["large"],
        min_avg_traded_value: 5e9,
        fundamentals: [{ metric: "PE_RATIO", max: 20 }],
      },
    },
    entry: "roc(close, 60) > 10",
    exit: "roc(close, 20) < 0",
    rank_by: "roc(close, 60)",
    sizing: { method: "percent_equity", percent: 20, max_positions: 5, min_position: 1000000 },
    benchmarks: ["^JKSE"],
    risk_free_pct: 6,
  },
  slippage_close_fill: {
    name: "Close fills with slippage",
    universe: { tickers: ["BBCA.JK", "TLKM.JK"] },
    entry: "crosses_above(close, sma(close, 50))",
    exit: "crosses_below(close, sma(close, 50))",
    costs: { buy_fee_pct: 0.15, sell_fee_pct: 0.25, min_fee: 0, slippage_pct: 0.05 },
    fill: "close",
    close_at_end: true,
    capital: 50000000,
  },
  arithmetic_rules: {
    name: "Gap and range rules",
    universe: { tickers: ["AAPL"] },
    entry: "(open - delay(close, 1)) / delay(close, 1) > 0.02 and not (close < open) and volume != 0",
    exit: "high - low > 2 * atr(14) or close <= 0.95 * highest(close, 10)",
    risk: { stop_loss_pct: 2.5, take_profit_pct: 12.5, trailing_stop_pct: 4, max_holding_days: 20 },
  },
};

/** How the export writes each spec feature (for whoever reads the samples back). */
const NOTES = `# Export samples: how each spec feature is written

- name: \`# quantedge: name: "<name>"\` (the class name is derived from it, lossy).
- universe.tickers: one \`cerebro.adddata(bt.feeds.GenericCSVData(dataname="<T>.csv", ..., name="<T>"))\` per
  ticker, in order. A universe with a name or filters: \`# quantedge: universe: <JSON>\` (the whole object).
- start: strategy param \`("start", datetime.date(y, m, d))\`; the feeds' fromdate is start - 400 days (warm-up).
- end: the feeds' \`todate=datetime.date(y, m, d)\`.
- capital: \`cerebro.broker.setcash(x)\`.
- costs: \`setcommission(commission=<pct> / 100)\` when buy == sell and min_fee == 0, else
  \`addcommissioninfo(PercentFees(buy_pct=, sell_pct=, min_fee=))\`; slippage_pct > 0:
  \`cerebro.broker.set_slippage_perc(<pct> / 100, ...)\`. The strategy params buy_fee_pct, sell_fee_pct, min_fee,
  slippage_pct repeat them (always present).
- sizing: \`cerebro.addsizer(...)\`: PercentOfEquity(percents=) = percent_equity, FixedCash(cash=) = fixed_cash,
  bt.sizers.FixedSize(stake=) = fixed_quantity, RiskAdjusted(risk_pct=, atr_period=, atr_multiple=) =
  risk_adjusted; max_positions and min_position are strategy params.
- risk: strategy params stop_loss_pct, take_profit_pct, trailing_stop_pct, max_holding_days (None = null).
- entry / exit / rank_by: \`entry_signal\`, \`exit_signal\`, \`rank_value\` return expressions over today's values:
  \`d.<field>[0]\`, \`d.<field>[-n]\` (delay), \`i["<key>"][0]\`, \`i["<key>"][-n]\` (delay of an indicator),
  \`i["<key>"].top/.bot/.mid[0]\` (bb_upper/bb_lower/bb_middle), \`i["<key>"].macd/.signal/.histo[0]\`
  (macd/macd_signal/macd_hist), \`i["<cross key>"][0] > 0\` (crosses_above) / \`< 0\` (crosses_below) where the
  cross key's indicator is \`QuantedgeCrossOver(a, b)\` or \`QuantedgeCrossOver(a, level=<number>)\`,
  \`div(a, b)\` (a / b), \`ne(a, b)\` (a != b), Python and/or/not, comparisons, + - *, unary -.
  A non-condition operand of and/or/not is written \`x > 0\`.
- Indicators: \`i["<key>"] = ...\` in \`__init__\`, one per distinct expression. The key starts with the spec
  function's name when two spec functions share a backtrader form: sma vs ts_mean (both bt.ind.SMA),
  stdev vs ts_std (both bt.ind.StdDev), volume_sma(n) (bt.ind.SMA(d.volume)). delta(x, n) is
  bt.ind.Momentum(x, period=n); delay(x, n) inside an indicator argument is \`x(-n)\`; rsi is
  bt.ind.RSI(x, period=n, safediv=True, safelow=0); atr(n) is bt.ind.ATR(d, period=n); roc is bt.ind.ROC100; highest/lowest are
  bt.ind.Highest/Lowest; MACD is TalibMACD(x, fast=, slow=, signal=); zscore, obv, vwap, vpt, ts_rank, correlation,
  abs, log are classes in the file. Line arithmetic inside an indicator argument: + - * on lines,
  \`(a / <non-zero number>)\`, \`bt.DivByZero(a, b, NAN)\` (a / b), \`bt.And(a, b)\`, \`bt.Or(a, b)\`,
  \`bt.If(c, 0.0, 1.0)\` (not c), comparisons \`(a > b)\`, a != b as
  \`bt.If(a == b, 0.0, bt.If(a * 0 + b * 0 == 0, 1.0, 0.0))\`, a bare number n as \`(d.close * 0 + n)\`.
- fill "close", close_at_end true, benchmarks, risk_free_pct != 0: \`# quantedge: <key>: <JSON>\` lines.
`;

/** Every sample spec by name, parsed. */
export function sampleSpecs(): Record<string, StrategySpec> {
  const out: Record<string, StrategySpec> = {};
  for (const [name, raw] of Object.entries({ ...PARITY_SPECS, ...CARRIED_SPECS })) {
    out[name] = StrategySpecSchema.parse({ start: "2021-09-01", end: "2023-11-17", ...(raw as object) });
  }
  return out;
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? ".tmp/export_samples";
  await Deno.mkdir(dir, { recursive: true });
  const specs = sampleSpecs();
  for (const [name, spec] of Object.entries(specs)) {
    await Deno.writeTextFile(`${dir}/${name}.py`, toBacktraderCode(spec));
    await Deno.writeTextFile(`${dir}/${name}.spec.json`, JSON.stringify(spec, null, 2) + "\n");
  }
  await Deno.writeTextFile(`${dir}/NOTES.md`, NOTES);
  console.log(`${Object.keys(specs).length} samples written to ${dir}`);
}
