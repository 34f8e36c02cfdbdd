/**
 * Settlement speed: the pure day step (`settleDay`) rebalancing a 100-symbol portfolio into 100 new targets
 * (200 fills), and a hold day repricing 100 positions. The KV side is measured end to end by `deno task demo`
 * (3 strategies × 120 days), whose timing is reported in BENCHMARKS.md.
 */
import { type PortfolioState, settleDay } from "../domain/track_record/settlement/rebalance.ts";

const symbols = Array.from({ length: 200 }, (_, i) => `${String(600000 + i)}.SH`);
const bars = new Map(symbols.map((s, i) => [s, { open: 10 + (i % 37), close: 10.2 + (i % 37) }]));
const state: PortfolioState = {
  cash: 100_000,
  positions: symbols.slice(0, 100).map((symbol) => ({
    symbol,
    quantity: 1_000,
    last_price: 10,
    entry_date: "2026-01-05",
    last_signal_date: "2026-01-05",
  })),
};
const base = {
  date: "2026-01-06",
  state,
  bar: (s: string) => bars.get(s) ?? null,
  execution: "open" as const,
  commission_rate: 0.0003,
  slippage_rate: 0.002,
  holding_period: 10,
  tradingAge: () => 1,
  lot_size: 100,
};

Deno.bench("settleDay: rebalance 100 positions into 100 other names (200 fills)", () => {
  settleDay({ ...base, signal: symbols.slice(100).map((symbol) => ({ symbol, weight: 0.0099 })) });
});

Deno.bench("settleDay: hold day, 100 positions repriced", () => {
  settleDay({ ...base, signal: null });
});
