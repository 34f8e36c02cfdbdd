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
  console.log(`${Object.keys(specs).length} samples written to ${dir}`);
}
