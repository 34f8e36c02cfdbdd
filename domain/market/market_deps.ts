/** Builds the market-data services over one KV handle (used by the app wiring, the CLI and benchmarks). */
import type { Clock } from "../clock.ts";
import { createBarRepo } from "../store/bar_repo.ts";
import { createImportedSymbolRepo } from "../store/imported_symbol_repo.ts";
import { createSyntheticCacheRepo } from "../store/synthetic_cache_repo.ts";
import { createBarCache } from "./bar_cache.ts";
import { createMarketData, type MarketServiceDeps } from "./market_service.ts";
import { createSyntheticMarket } from "./synthetic/generator.ts";
import { createSyntheticProvider } from "./synthetic_provider.ts";
import type { MarketData } from "./types.ts";

/** Market services plus the pieces routes and jobs use directly. */
export type MarketDeps = MarketServiceDeps & { data: MarketData };

/** Wires the synthetic market, bar store, cache, imports and the `MarketData` service. */
export function buildMarketDeps(
  kv: Deno.Kv,
  clock: Clock,
  opts: { seed: number; cacheBytes: number },
): MarketDeps {
  const market = createSyntheticMarket({ seed: opts.seed });
  const bars = createBarRepo(kv);
  const marks = createSyntheticCacheRepo(kv);
  const imports = createImportedSymbolRepo(kv);
  const synthetic = createSyntheticProvider({
    market,
    bars,
    marks,
    cache: createBarCache(opts.cacheBytes),
    clock,
  });
  const deps: MarketServiceDeps = { market, synthetic, bars, imports, marks, clock };
  return { ...deps, data: createMarketData(deps) };
}
