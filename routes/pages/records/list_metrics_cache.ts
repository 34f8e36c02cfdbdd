/**
 * The `/app/records` list's per-row metrics (Sharpe, max drawdown), cached in process. A settled day never
 * changes, so a row's figures are a function of its data version: the strategy (slug and creation time), its log
 * (demo or production) and its settlement head (latest settled date and trading-day count). A newly settled day
 * changes the key, so the next list computes the row again; nothing stale is served. At most `maxEntries` rows
 * are kept (least recently used dropped first).
 */
import type { PublicStrategyRow } from "../../../domain/track_record/public_record.ts";

/** A list row's metrics. */
export interface ListMetrics {
  sharpe: number | null;
  max_drawdown: number | null;
}

/** Rows kept by default (each a few dozen bytes). */
const DEFAULT_MAX_ENTRIES = 1000;

/** The exact data version of a row: a changed head (a newly settled day) is a new key. */
const versionKey = (r: PublicStrategyRow) =>
  JSON.stringify([r.slug, r.is_demo ? "demo" : "production", r.created_at, r.latest_date, r.trading_days]);

/** Memoises `compute(row)` by the row's data version. */
export function listMetricsCache(
  compute: (row: PublicStrategyRow) => Promise<ListMetrics>,
  maxEntries = DEFAULT_MAX_ENTRIES,
): (row: PublicStrategyRow) => Promise<ListMetrics> {
  const cache = new Map<string, ListMetrics>();
  return async (row) => {
    const key = versionKey(row);
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key); // most recently used last
      cache.set(key, hit);
      return hit;
    }
    const metrics = await compute(row);
    cache.set(key, metrics);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return metrics;
  };
}
