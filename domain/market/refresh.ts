/** Generates or extends cached synthetic series for named universes and symbols (admin refresh, cron). */
import type { MarketDeps } from "./market_deps.ts";
import type { UniverseName } from "./types.ts";

/** Refreshes the given universes (with their index) and symbols; defaults to hs300. */
export async function refreshSynthetic(
  market: MarketDeps,
  request: { universes?: UniverseName[]; symbols?: string[] },
): Promise<{ refreshed: number; through: Record<string, string>; unknown: string[] }> {
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
