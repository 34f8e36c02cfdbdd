/** The `market_data` check of `/health`: cheap (reads cached metadata only, never generates bars). */
import type { CheckResult } from "../health.ts";
import type { MarketDeps } from "./market_deps.ts";

/** Reports the synthetic source: symbols, generated series, cached rows, date range, and freshness per market. */
export async function marketHealth(market: MarketDeps): Promise<CheckResult> {
  const metas = await market.bars.listMetas(market.synthetic.namespace);
  const rows = metas.reduce((s, m) => s + m.rows, 0);
  const firsts = metas.map((m) => m.first_day).filter((d): d is number => d !== null);
  const lasts = metas.map((m) => m.last_day).filter((d): d is number => d !== null);
  const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  const freshness = await market.data.freshness();
  const stale = freshness.filter((f) => f.stale).map((f) => f.scope);
  return {
    ok: true,
    detail: stale.length
      ? `synthetic data behind for ${stale.join(", ")} (extended on next read)`
      : "synthetic market ready",
    source: "synthetic",
    seed: market.market.seed,
    symbols: market.market.symbols().length,
    generated_series: metas.length,
    rows,
    date_range: firsts.length ? { start: iso(Math.min(...firsts)), end: iso(Math.max(...lasts)) } : null,
    freshness: freshness.map((f) => ({
      scope: f.scope,
      last_bar_date: f.last_bar_date,
      expected_date: f.expected_date,
      stale: f.stale,
    })),
  };
}
