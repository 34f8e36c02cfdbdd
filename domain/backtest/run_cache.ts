/**
 * Backtest summaries cached by what determines them: the canonical spec (sorted-key JSON, hashed), the engine
 * version and the data version of every symbol the run reads (`MarketData.dataVersion`). A hit does no backtest
 * work at all; new bars, a new import or a new engine version change the key, so a stale summary is never served.
 */
import type { Clock } from "../clock.ts";
import { sha256Hex } from "../tokens_and_hashes.ts";
import type { MarketData } from "../market/types.ts";
import type { RunCacheRepo } from "../store/run_cache_repo.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import type { BacktestSummary } from "./report.ts";
import { ENGINE_VERSION } from "./run_backtest.ts";

/** How long a cached summary is kept. */
const RUN_CACHE_TTL_MS = 7 * 86_400_000;

/** What the cache needs. */
export interface RunCacheDeps {
  cache: RunCacheRepo;
  market: MarketData;
  clock: Clock;
}

/** JSON with object keys sorted at every level and no whitespace (the same value always gives the same text). */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The cache key of a run of `spec` by `ownerId`: spec hash (with the engine version) and data version. */
async function runCacheKey(
  deps: RunCacheDeps,
  spec: StrategySpec,
  ownerId: string | null,
): Promise<{ specHash: string; dataVersion: string }> {
  const specHash = await sha256Hex(`${ENGINE_VERSION}\n${canonicalJson(spec)}`);
  const symbols = new Set([...(spec.universe.tickers ?? []).map((s) => s.toUpperCase()), ...spec.benchmarks]);
  if (spec.universe.name) {
    for (const s of await deps.market.getUniverse(spec.universe.name)) {
      symbols.add(s);
    }
  }
  const dataVersion = await deps.market.dataVersion([...symbols], spec.end, ownerId);
  return { specHash, dataVersion };
}

/**
 * The summary of a run of `spec`: from the cache when the same spec ran on the same data, otherwise from `run()`
 * (then stored). `cached` says which.
 */
export async function cachedRunSummary(
  deps: RunCacheDeps,
  spec: StrategySpec,
  ownerId: string | null,
  run: () => Promise<{ summary: BacktestSummary }>,
): Promise<{ summary: BacktestSummary; cached: boolean }> {
  const { specHash, dataVersion } = await runCacheKey(deps, spec, ownerId);
  const hit = await deps.cache.get(specHash, dataVersion);
  if (hit) return { summary: hit.summary, cached: true };
  const report = await run();
  await deps.cache.put(specHash, dataVersion, {
    summary: report.summary,
    engine_version: ENGINE_VERSION,
    created_at: deps.clock.now(),
  }, RUN_CACHE_TTL_MS);
  return { summary: report.summary, cached: false };
}
