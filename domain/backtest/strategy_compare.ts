/**
 * Comparing strategies by running them: two versions of one of my library strategies (metrics and spec
 * differences side by side), and every catalog strategy with one name on its production spec (public data only,
 * summaries cached by spec and data version). Each strategy is checked against the expression budget before any
 * runs. Error paths are relative to the request (`["a"]`, `["name"]`).
 */
import { chargeRate, type RateCharge } from "../auth/rate_limiter.ts";
import type { Clock } from "../clock.ts";
import { NotFoundError } from "../errors.ts";
import type { RunCacheRepo } from "../store/run_cache_repo.ts";
import type { NicknameOf } from "../strategy/catalog.ts";
import { catalogStrategies, getOwnVersion, type LibraryDeps } from "../strategy/library.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { specDifferences } from "../strategy/spec_diff.ts";
import type { BacktestSummary } from "./report.ts";
import { cachedRunSummary } from "./run_cache.ts";
import { assertWithinExpressionBudget, estimateBacktestCost, runBacktest } from "./run_backtest.ts";
import { SYNC_RUN_BUCKET, type SyncRunDeps } from "./sync_runs.ts";

/** Most strategies one catalog compare runs. */
const CATALOG_COMPARE_LIMIT = 10;

/** What comparing needs: synchronous runs (no timings kept) and the library. */
export interface CompareDeps {
  runs: Omit<SyncRunDeps, "now">;
  library: LibraryDeps;
}

/** Metrics of one compared version. */
export interface ComparedVersion {
  version: number;
  metrics: BacktestSummary;
}

/** Two versions side by side. */
export interface VersionComparison {
  a: ComparedVersion;
  b: ComparedVersion;
  spec_differences: ReturnType<typeof specDifferences>;
}

/** One catalog strategy's metrics in a compare. */
export interface ComparedCatalogStrategy {
  id: string;
  author: string | null;
  production_version: number;
  metrics: BacktestSummary;
  cached: boolean;
}

/** Runs versions `a` and `b` of my strategy `strategyId` on their own specs. */
export async function compareVersions(
  deps: CompareDeps,
  userId: string,
  strategyId: string,
  versions: { a: number; b: number },
): Promise<VersionComparison> {
  // Two runs, one charge: a compare counts as one synchronous run of the caller.
  await chargeRate(deps.runs.rate, SYNC_RUN_BUCKET, userId);
  const va = await getOwnVersion(deps.library, userId, strategyId, versions.a);
  const vb = await getOwnVersion(deps.library, userId, strategyId, versions.b);
  for (const [v, param] of [[va, "a"], [vb, "b"]] as const) {
    assertWithinExpressionBudget(
      await estimateBacktestCost(v.spec, deps.runs.market, userId),
      deps.runs.maxExpressionCost,
      [param],
      `version ${v.version}`,
    );
  }
  const [ra, rb] = [await run(deps, va.spec, userId), await run(deps, vb.spec, userId)];
  return {
    a: { version: va.version, metrics: ra.summary },
    b: { version: vb.version, metrics: rb.summary },
    spec_differences: specDifferences(va.spec, vb.spec),
  };
}

/** What a catalog compare needs besides the runs: the result cache, authors' nicknames, a per-address rate. */
export interface CatalogCompareDeps extends CompareDeps {
  cache: RunCacheRepo;
  clock: Clock;
  nicknameOf: NicknameOf;
  /** Catalog compares per client address (`RATE_LIMIT_CATALOG_COMPARE`); unlimited when absent. */
  perIp?: RateCharge;
}

/**
 * Runs every catalog strategy named `name` (up to `CATALOG_COMPARE_LIMIT`) on its production spec. Anyone may
 * ask, so each call is charged to the caller's address when `deps.perIp` is set.
 */
export async function compareCatalogStrategies(
  deps: CatalogCompareDeps,
  name: string,
  clientIp = "",
): Promise<{ name: string; strategies: ComparedCatalogStrategy[] }> {
  await chargeRate(deps.perIp, "catalog_compare_ip", clientIp);
  const page = await catalogStrategies(deps.library, { limit: CATALOG_COMPARE_LIMIT, offset: 0 }, name);
  if (page.items.length === 0) throw new NotFoundError(`No promoted strategy named "${name}"`);
  const found = [];
  for (const s of page.items) {
    const version = await deps.library.library.getVersion(s.id, s.production_version!);
    if (version) found.push({ s, version });
  }
  // Public data only: the catalog is public.
  for (const { s, version } of found) {
    assertWithinExpressionBudget(
      await estimateBacktestCost(version.spec, deps.runs.market, null),
      deps.runs.maxExpressionCost,
      ["name"],
      `strategy "${s.id}" (version ${version.version})`,
    );
  }
  const cache = { cache: deps.cache, market: deps.runs.market, clock: deps.clock };
  const strategies: ComparedCatalogStrategy[] = [];
  for (const { s, version } of found) {
    const result = await cachedRunSummary(cache, version.spec, null, () => run(deps, version.spec, null));
    strategies.push({
      id: s.id,
      author: await deps.nicknameOf(s.user_id),
      production_version: version.version,
      metrics: result.summary,
      cached: result.cached,
    });
  }
  return { name, strategies };
}

function run(deps: CompareDeps, spec: StrategySpec, ownerId: string | null) {
  return runBacktest(spec, deps.runs.market, {
    ownerId,
    maxSymbolBars: deps.runs.maxSymbolBars,
    maxExpressionCost: deps.runs.maxExpressionCost,
    now: () => 0,
    gate: deps.runs.gate,
  });
}
