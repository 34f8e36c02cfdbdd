/**
 * Serves synthetic bars from KV, generating them lazily: the first read of a symbol generates its history through
 * the latest completed trading day of its exchange and stores it; later reads after new trading days append only
 * the new bars (the generator is prefix-stable). One generation per symbol at a time in this process; writers in
 * other processes are tolerated (`appendBars` is atomic and ignores days already stored, and a series another
 * process extended is re-read rather than served stale from this process's cache).
 *
 * The bars live under the namespace `synthetic/public:seed<seed>:g<fingerprint>`: the seed, plus a fingerprint of
 * the generator's output (the catalogue and a short prefix of one series per exchange) and `SYNTHETIC_CACHE_VERSION`,
 * so neither a seed change nor a new generator version ever serves or extends bars made by the old one.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { type IsoDate, toDayNumber } from "../calendar/dates.ts";
import type { Clock } from "../clock.ts";
import type { BarNamespace, BarRepo } from "../store/bar_repo.ts";
import type { SyntheticCacheRepo } from "../store/synthetic_cache_repo.ts";
import type { BarCache } from "./bar_cache.ts";
import { packBars, sliceSeries } from "../store/bar_codec.ts";
import type { SyntheticMarket } from "./synthetic/synthetic_market.ts";
import type { BarSeries } from "./types.ts";

/**
 * Bump when the generator's output changes in a way the automatic fingerprint cannot see (it covers the catalogue
 * and the first quarter of 2015 of one series per exchange), so caches of the old output are abandoned.
 */
const SYNTHETIC_CACHE_VERSION = 1;

/** End of the prefix the fingerprint generates per exchange. */
const FINGERPRINT_THROUGH: IsoDate = "2015-03-31";

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
  /** Makes sure the symbol is generated through `targetDate`; returns the full series (callers must not mutate it). */
  ensure(symbol: string): Promise<BarSeries>;
  /** Bars with `start ≤ date ≤ end` (generating first when needed); a fresh copy the caller may keep. */
  getBars(symbol: string, start: IsoDate, end: IsoDate): Promise<BarSeries>;
}

/** FNV-1a (32-bit) over bytes, continuing from `h`. */
function fnv1a(bytes: Uint8Array, h: number): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * An 8-hex-digit digest of what `market` generates: its catalogue (symbols, kinds, exchanges, universes) and the
 * first quarter of 2015 of the first non-index series of each exchange, plus `SYNTHETIC_CACHE_VERSION`.
 * Costs a few milliseconds (no index is generated).
 */
export function generatorFingerprint(market: SyntheticMarket): string {
  const enc = new TextEncoder();
  let h = fnv1a(enc.encode(`v${SYNTHETIC_CACHE_VERSION}:${market.seed}`), 0x811c9dc5);
  const probes = new Map<string, string>();
  for (const s of market.symbols()) {
    h = fnv1a(enc.encode(`${s.symbol}|${s.kind}|${s.exchange}|${s.universes.join(",")};`), h);
    if (s.kind !== "index" && !probes.has(s.exchange)) probes.set(s.exchange, s.symbol);
  }
  for (const symbol of probes.values()) h = fnv1a(packBars(market.bars(symbol, FINGERPRINT_THROUGH)), h);
  return h.toString(16).padStart(8, "0");
}

/** Day numbers wide enough to read a whole stored series. */
const ALL_DAYS = [-1e6, 1e7] as const;

/** Creates the provider. */
export function createSyntheticProvider(deps: SyntheticProviderDeps): SyntheticProvider {
  const seed = deps.market.seed;
  const namespace: BarNamespace = {
    source: "synthetic",
    owner: `public:seed${seed}:g${generatorFingerprint(deps.market)}`,
  };
  const inFlight = new Map<string, Promise<BarSeries>>();
  const cacheKey = (symbol: string) => `${namespace.owner}:${symbol}`;
  /** The date each series in the LRU was generated through (an LRU entry older than the target is not served). */
  const cachedThrough = new Map<string, IsoDate>();

  const targetDate = (symbol: string): IsoDate => {
    const info = deps.market.symbol(symbol);
    const exchange = info?.exchange === "SZSE" ? "SSE" : info?.exchange ?? "SSE";
    return getCalendar(exchange).latestCompletedTradingDay(deps.clock.now());
  };

  const remember = (symbol: string, series: BarSeries, through: IsoDate) => {
    deps.cache.set(cacheKey(symbol), series);
    cachedThrough.set(symbol, through);
  };

  async function load(symbol: string): Promise<BarSeries> {
    const target = targetDate(symbol);
    const cached = deps.cache.get(cacheKey(symbol));
    const cachedTo = cachedThrough.get(symbol);
    if (cached && cachedTo !== undefined && cachedTo >= target) return cached;
    const through = await deps.marks.getThrough(seed, symbol, namespace.owner);
    if (through !== null && through >= target) {
      // Generated far enough already (perhaps by another process): read what is stored.
      const stored = await deps.bars.getBars(namespace, symbol, ...ALL_DAYS);
      if (stored) {
        remember(symbol, stored, through);
        return stored;
      }
      // A mark without bars (the series was deleted): generate again below.
    }
    const generated = deps.market.bars(symbol, target);
    // Creates the series when absent; otherwise adds only the days after the stored last day, atomically, so a
    // concurrent writer elsewhere (which stores the same bars: same seed, same generator) cannot corrupt it.
    await deps.bars.appendBars(namespace, generated, deps.clock.now());
    if (through === null || through < target) {
      await deps.marks.setThrough(seed, symbol, namespace.owner, target);
    }
    remember(symbol, generated, target);
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
      const from = toDayNumber(start), to = toDayNumber(end);
      const cached = deps.cache.get(cacheKey(symbol));
      const cachedTo = cachedThrough.get(symbol);
      // A series already generated far enough but not in the LRU (a wide read, e.g. a factor panel of 1,000
      // names, does not fit it): read just the range from KV instead of the whole history.
      if (!(cached && cachedTo !== undefined && cachedTo >= targetDate(symbol)) && !inFlight.has(symbol)) {
        const through = await deps.marks.getThrough(seed, symbol, namespace.owner);
        if (through !== null && through >= targetDate(symbol)) {
          const stored = await deps.bars.getBars(namespace, symbol, from, to);
          if (stored) return stored;
        }
      }
      const full = await this.ensure(symbol);
      return sliceSeries(full, from, to);
    },
  };
}
