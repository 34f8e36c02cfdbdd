/** `createSyntheticMarket`: the embedded default market, deterministic from a seed (see `synthetic_market.ts`). */
import { getCalendar } from "../../calendar/calendar.ts";
import { type IsoDate, toDayNumber } from "../../calendar/dates.ts";
import type { ExchangeCode } from "../../calendar/exchanges.ts";
import { NotFoundError } from "../../errors.ts";
import type { BarSeries, FundamentalsRow, UniverseName } from "../types.ts";
import { buildCatalog, type SeriesParams, UNIVERSE_INDEX } from "./catalog.ts";
import { type FactorSeries, generateFactors, type MarketGroup } from "./factors.ts";
import { generateFundamentals } from "./fundamentals.ts";
import { createIndexAccumulator } from "./index_builder.ts";
import { generateStockPath, type StockPath } from "./stock_path.ts";
import { SYNTHETIC_START, type SyntheticMarket } from "./synthetic_market.ts";

const GROUP_OF: Readonly<Record<ExchangeCode, MarketGroup>> = {
  SSE: "CN",
  SZSE: "CN",
  NSE: "NSE",
  IDX: "IDX",
  NYSE: "US",
  CRYPTO: "CRYPTO",
};

/** Creates the synthetic market for `seed`. */
export function createSyntheticMarket(opts: { seed: number }): SyntheticMarket {
  const seed = opts.seed | 0;
  const catalog = buildCatalog(seed);
  const bySymbol = new Map(catalog.map((p) => [p.info.symbol, p]));
  const infos = catalog.map((p) => p.info);
  const factorCache = new Map<MarketGroup, { through: IsoDate; factors: FactorSeries }>();

  function factorsFor(exchange: ExchangeCode, through: IsoDate): FactorSeries {
    const group = GROUP_OF[exchange];
    const cached = factorCache.get(group);
    if (cached && cached.through === through) return cached.factors;
    const days = Int32Array.from(
      getCalendar(exchange === "SZSE" ? "SSE" : exchange).tradingDaysBetween(SYNTHETIC_START, through),
      toDayNumber,
    );
    const factors = generateFactors(seed, group, days);
    factorCache.set(group, { through, factors });
    return factors;
  }

  function params(symbol: string): SeriesParams {
    const p = bySymbol.get(symbol);
    if (!p) throw new NotFoundError(`Unknown synthetic symbol "${symbol}"`);
    return p;
  }

  function path(p: SeriesParams, through: IsoDate): StockPath {
    return generateStockPath(seed, p, factorsFor(p.info.exchange, through));
  }

  function indexBars(p: SeriesParams, through: IsoDate): BarSeries {
    const days = factorsFor(p.info.exchange, through).days;
    const acc = createIndexAccumulator(days);
    for (const symbol of p.constituents ?? []) {
      const c = params(symbol);
      acc.add(path(c, through).series, c.shares);
    }
    return acc.finish(p.info.symbol, p.baseLevel);
  }

  return {
    seed,
    symbols: () => infos,
    symbol: (symbol) => bySymbol.get(symbol)?.info ?? null,
    universe(name: UniverseName) {
      return catalog.filter((p) => p.info.universes.includes(name)).map((p) => p.info.symbol);
    },
    indexOf: (name) => UNIVERSE_INDEX[name],
    bars(symbol, through) {
      const p = params(symbol);
      return p.constituents ? indexBars(p, through) : path(p, through).series;
    },
    fundamentals(symbol: string, through: IsoDate): FundamentalsRow[] {
      const p = params(symbol);
      if (p.info.kind !== "stock") return [];
      return generateFundamentals(seed, p, path(p, through), through);
    },
  };
}
