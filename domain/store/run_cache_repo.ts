/** Cached backtest summaries keyed by (spec hash, data version), expiring after a while. */
import type { BacktestSummary } from "../backtest/report.ts";
import { keys } from "./keys.ts";

/** A cached summary. */
export interface CachedRunSummary {
  summary: BacktestSummary;
  engine_version: string;
  created_at: number;
}

/** Persistence of cached run summaries. */
export interface RunCacheRepo {
  /** The cached summary for this spec hash and data version; `null` when absent or expired. */
  get(specHash: string, dataVersion: string): Promise<CachedRunSummary | null>;
  /** Stores a summary that expires after `ttlMs`. */
  put(specHash: string, dataVersion: string, value: CachedRunSummary, ttlMs: number): Promise<void>;
}

/** Creates the repository over `kv`. */
export function createRunCacheRepo(kv: Deno.Kv): RunCacheRepo {
  return {
    async get(specHash, dataVersion) {
      return (await kv.get<CachedRunSummary>(keys.runSummaryCache(specHash, dataVersion))).value;
    },
    async put(specHash, dataVersion, value, ttlMs) {
      await kv.set(keys.runSummaryCache(specHash, dataVersion), value, { expireIn: ttlMs });
    },
  };
}
