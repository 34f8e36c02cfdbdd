/** Generates or extends cached synthetic series for named universes and symbols, and pulls Yahoo (admin refresh, cron). */
import { chargeRate, type RateCharge } from "../auth/rate_limiter.ts";
import type { MarketDeps } from "./market_service.ts";
import type { UniverseName } from "./types.ts";
import { refreshYahooSymbols, type YahooRefreshResult } from "./yahoo/yahoo_provider.ts";

/** What to refresh: universes (each with its benchmark index) and single symbols. */
export interface RefreshRequest {
  universes?: UniverseName[];
  symbols?: string[];
}

/** What a synthetic refresh did: series now current, the date each exchange reached, symbols not in the catalogue. */
export interface SyntheticRefreshResult {
  refreshed: number;
  through: Record<string, string>;
  unknown: string[];
}

/** Refreshes the given universes (with their index) and symbols; defaults to hs300 when neither is given. */
export async function refreshSynthetic(
  market: MarketDeps,
  request: RefreshRequest,
): Promise<SyntheticRefreshResult> {
  const universes = request.universes ?? (request.symbols ? [] : ["hs300" as const]);
  const wanted = new Set<string>(request.symbols ?? []);
  for (const u of universes) {
    for (const s of market.market.universe(u)) wanted.add(s);
    const index = market.market.indexOf(u);
    if (index) wanted.add(index);
  }
  const unknown = [...wanted].filter((s) => !market.market.symbol(s));
  const through: Record<string, string> = {};
  let refreshed = 0;
  for (const s of wanted) {
    if (!market.market.symbol(s)) continue;
    await market.synthetic.ensure(s);
    const info = market.market.symbol(s)!;
    through[info.exchange] = market.synthetic.targetDate(s);
    refreshed++;
  }
  return { refreshed, through, unknown };
}

/**
 * The admin refresh: the synthetic refresh of `request`, then, when Yahoo is enabled, a Yahoo pull of the named
 * `symbols` (or of the configured Yahoo symbols when none are named); `yahoo` is `null` when Yahoo is disabled.
 * Yahoo failures are reported per symbol (and recorded in freshness), never thrown.
 */
export async function refreshMarket(
  market: MarketDeps,
  request: RefreshRequest,
): Promise<SyntheticRefreshResult & { yahoo: YahooRefreshResult[] | null }> {
  const synthetic = await refreshSynthetic(market, request);
  if (!market.yahoo) return { ...synthetic, yahoo: null };
  const yahoo = await refreshYahooSymbols(market.yahoo, request.symbols ?? market.yahoo.symbols);
  const pulled = new Set(yahoo.filter((r) => r.error === null).map((r) => r.symbol));
  return { ...synthetic, unknown: synthetic.unknown.filter((s) => !pulled.has(s)), yahoo };
}

/** The rate bucket of the public cache refresh (`POST /refresh_cache`), counted per caller. */
const PUBLIC_REFRESH_BUCKET = "refresh_cache";

/** What the public refresh answers: what was brought up to date, through which session, from which source. */
export interface PublicRefreshResult extends SyntheticRefreshResult {
  status: "refreshed";
  source: "synthetic";
  universes: UniverseName[];
  symbols: string[];
}

/**
 * The public refresh of the Backtester v2 document (`POST /refresh_cache`): anyone may ask, counted per caller
 * against `rate`; it only extends the cached synthetic IDX series (the `idx` universe with `^JKSE`, and `LQ45`)
 * through the latest completed session — it never pulls Yahoo or touches anyone's imports. A repeat with nothing
 * new to generate changes nothing.
 */
export async function refreshPublicCache(
  market: MarketDeps,
  rate: RateCharge | undefined,
  caller: string,
): Promise<PublicRefreshResult> {
  await chargeRate(rate, PUBLIC_REFRESH_BUCKET, caller);
  const universes: UniverseName[] = ["idx", "lq45"];
  const symbols = ["LQ45"];
  const result = await refreshSynthetic(market, { universes, symbols });
  return { status: "refreshed", source: "synthetic", universes, symbols, ...result };
}
