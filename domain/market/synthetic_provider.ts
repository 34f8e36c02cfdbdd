/**
 * Serves synthetic bars from KV, generating them lazily: the first read of a symbol generates its history through
 * the latest completed trading day of its exchange and stores it; later reads after new trading days append only
 * the new bars (the generator is prefix-stable). One generation per symbol at a time in this process.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { type IsoDate, toDayNumber } from "../calendar/dates.ts";
import type { Clock } from "../clock.ts";
import type { BarNamespace, BarRepo } from "../store/bar_repo.ts";
import type { SyntheticCacheRepo } from "../store/synthetic_cache_repo.ts";
import type { BarCache } from "./bar_cache.ts";
import { sliceSeries } from "./bar_codec.ts";
import type { SyntheticMarket } from "./synthetic/synthetic_market.ts";
import type { BarSeries } from "./types.ts";

/** What the provider needs. */
export interface SyntheticProviderDeps {
  market: SyntheticMarket;
  bars: BarRepo;
  marks: SyntheticCacheRepo;
  cache: BarCache;
  clock: Clock;
}

/** Lazily generated, KV-cached synthetic bars. */
export interface SyntheticProvider {
  readonly namespace: BarNamespace;
  /** The date the symbol's history should reach now (latest completed trading day of its exchange). */
  targetDate(symbol: string): IsoDate;
  /** Makes sure the symbol is generated through `targetDate`; returns the full stored series. */
  ensure(symbol: string): Promise<BarSeries>;
  /** Bars with `start ≤ date ≤ end` (generating first when needed). */
  getBars(symbol: string, start: IsoDate, end: IsoDate): Promise<BarSeries>;
}

/** Creates the provider. */
export function createSyntheticProvider(deps: SyntheticProviderDeps): SyntheticProvider {
  const seed = deps.market.seed;
  const namespace: BarNamespace = { source: "synthetic", owner: `public:seed${seed}` };
  const inFlight = new Map<string, Promise<BarSeries>>();
  const cacheKey = (symbol: string) => `synthetic:${seed}:${symbol}`;
  /** Generation marks already read or written by this process (saves a KV read per cache hit). */
  const knownThrough = new Map<string, IsoDate>();

  const targetDate = (symbol: string): IsoDate => {
    const info = deps.market.symbol(symbol);
    const exchange = info?.exchange === "SZSE" ? "SSE" : info?.exchange ?? "SSE";
    return getCalendar(exchange).latestCompletedTradingDay(deps.clock.now());
  };

  async function load(symbol: string): Promise<BarSeries> {
    const target = targetDate(symbol);
    const cached = deps.cache.get(cacheKey(symbol));
    const known = knownThrough.get(symbol);
    if (cached && known !== undefined && known >= target) return cached;
    const through = await deps.marks.getThrough(seed, symbol);
    if (through !== null) knownThrough.set(symbol, through);
    if (through !== null && through >= target) {
      if (cached) return cached;
      const stored = await deps.bars.getBars(namespace, symbol, -1e6, 1e7);
      if (stored) {
        deps.cache.set(cacheKey(symbol), stored);
        return stored;
      }
    }
    const generated = deps.market.bars(symbol, target);
    const now = deps.clock.now();
    if (through === null) await deps.bars.replaceSeries(namespace, generated, now);
    else await deps.bars.appendBars(namespace, generated, now);
    await deps.marks.setThrough(seed, symbol, target);
    knownThrough.set(symbol, target);
    deps.cache.set(cacheKey(symbol), generated);
    return generated;
  }

  return {
    namespace,
    targetDate,
    ensure(symbol) {
      let p = inFlight.get(symbol);
      if (!p) {
        p = load(symbol).finally(() => inFlight.delete(symbol));
        inFlight.set(symbol, p);
      }
      return p;
    },
    async getBars(symbol, start, end) {
      const full = await this.ensure(symbol);
      return sliceSeries(full, toDayNumber(start), toDayNumber(end));
    },
  };
}
