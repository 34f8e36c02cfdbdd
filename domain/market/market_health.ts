/** The `market_data` check of `/health`: cheap (reads stored metadata only, never generates bars). */
import type { MarketDataCheck } from "../health.ts";
import type { MarketDeps } from "./market_service.ts";

/**
 * Reports the synthetic source (catalogue symbols, generated series, cached rows, date range) and freshness per
 * source and scope. Always `ok`: data behind the calendar is extended on its next read, and a failed Yahoo
 * refresh leaves the other sources serving.
 */
export async function marketHealth(market: MarketDeps): Promise<MarketDataCheck> {
  const freshness = await market.data.freshness();
  const synthetic = freshness.filter((f) => f.source === "synthetic");
  const rows = synthetic.reduce((s, f) => s + (f.rows ?? 0), 0);
  const firsts = synthetic.map((f) => f.first_bar_date).filter((d): d is string => d !== null).sort();
  const lasts = synthetic.map((f) => f.last_bar_date).filter((d): d is string => d !== null).sort();
  const behind = synthetic.filter((f) => f.stale).map((f) => f.scope);
  const failing = freshness.filter((f) => f.source === "yahoo" && f.error !== null).map((f) => f.scope);
  const notes = [
    behind.length
      ? `synthetic data behind for ${behind.join(", ")} (extended on next read)`
      : "synthetic market ready",
    ...(failing.length ? [`yahoo refresh failing for ${failing.join(", ")}`] : []),
  ];
  return {
    ok: true,
    detail: notes.join("; "),
    source: "synthetic",
    seed: market.market.seed,
    symbols: market.market.symbols().length,
    generated_series: synthetic.reduce((s, f) => s + f.symbols, 0),
    rows,
    date_range: firsts.length ? { start: firsts[0], end: lasts[lasts.length - 1] } : null,
    freshness: freshness.map((f) => ({
      source: f.source,
      scope: f.scope,
      last_bar_date: f.last_bar_date,
      expected_date: f.expected_date,
      stale: f.stale,
      error: f.error,
    })),
  };
}
