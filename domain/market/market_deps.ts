/** Builds the market-data services over one KV handle (used by the app wiring, the CLI and benchmarks). */
import type { Clock } from "../clock.ts";
import { createBarRepo } from "../store/bar_repo.ts";
import { createImportedSymbolRepo } from "../store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../store/synthetic_cache_repo.ts";
import { createBarCache } from "./bar_cache.ts";
import { createMarketData, type MarketServiceDeps } from "./market_service.ts";
import { createSyntheticMarket } from "./synthetic/generator.ts";
import { createSyntheticProvider } from "./synthetic_provider.ts";
import type { MarketData } from "./types.ts";
import { createYahooFinanceClient } from "./yahoo/yahoo_finance_client.ts";
import type { YahooRefreshDeps } from "./yahoo/yahoo_provider.ts";
import { yahooExchangeOf } from "./yahoo/yahoo_symbols.ts";

/** Market options from configuration. */
export interface MarketOptions {
  seed: number;
  cacheBytes: number;
  yahoo?: { enabled: boolean; symbols: string[]; baseUrl?: string };
}

/** Market services plus the pieces routes and jobs use directly. */
export type MarketDeps = MarketServiceDeps & {
  data: MarketData;
  /** Yahoo refresh dependencies and symbols, when Yahoo is enabled. */
  yahoo: (YahooRefreshDeps & { symbols: string[] }) | null;
};

/** Wires the synthetic market, bar store, cache, imports, the optional Yahoo provider and `MarketData`. */
export function buildMarketDeps(kv: Deno.Kv, clock: Clock, opts: MarketOptions): MarketDeps {
  const market = createSyntheticMarket({ seed: opts.seed });
  const bars = createBarRepo(kv);
  const marks = createSyntheticCacheRepo(kv);
  const imports = createImportedSymbolRepo(kv);
  const freshness = createMarketFreshnessRepo(kv);
  const synthetic = createSyntheticProvider({
    market,
    bars,
    marks,
    cache: createBarCache(opts.cacheBytes),
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
