/** Builds the market-data services over one KV handle (used by the house in `services.ts`, the CLI and benchmarks). */
import type { Clock } from "../domain/clock.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../domain/store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../domain/store/synthetic_cache_repo.ts";
import { type BarCache, createBarCache } from "../domain/market/bar_cache.ts";
import {
  createMarketData,
  type MarketDeps,
  type MarketOptions,
  type MarketServiceDeps,
} from "../domain/market/market_service.ts";
import { createSyntheticMarket } from "../domain/market/synthetic/generator.ts";
import { createSyntheticProvider } from "../domain/market/synthetic_provider.ts";
import { createYahooFinanceClient } from "../domain/market/yahoo/yahoo_finance_client.ts";
import { yahooExchangeOf } from "../domain/market/yahoo/yahoo_symbols.ts";

/**
 * Wires the synthetic market, bar store, cache (`barCache`, or a new one of `opts.cacheBytes`), imports, the
 * optional Yahoo provider and `MarketData`.
 */
export function buildMarketServices(
  kv: Deno.Kv,
  clock: Clock,
  opts: MarketOptions,
  barCache: BarCache = createBarCache(opts.cacheBytes),
): MarketDeps {
  const market = createSyntheticMarket({ seed: opts.seed });
  const bars = createBarRepo(kv);
  const marks = createSyntheticCacheRepo(kv);
  const imports = createImportedSymbolRepo(kv);
  const freshness = createMarketFreshnessRepo(kv);
  const synthetic = createSyntheticProvider({
    market,
    bars,
    marks,
    cache: barCache,
    clock,
  });
  const yahoo = opts.yahoo?.enabled
    ? {
      client: createYahooFinanceClient({ baseUrl: opts.yahoo.baseUrl }),
      bars,
      freshness,
      clock,
      exchangeOf: (s: string) => market.symbol(s)?.exchange ?? yahooExchangeOf(s),
      symbols: opts.yahoo.symbols,
    }
    : null;
  const deps: MarketServiceDeps = {
    market,
    synthetic,
    bars,
    imports,
    marks,
    freshness,
    yahooEnabled: !!yahoo,
    clock,
  };
  return { ...deps, data: createMarketData(deps), yahoo };
}
