/** Per-symbol freshness of live providers (last bar, last error), for `/data/freshness` and `/health`. */
import type { FreshnessEntry } from "../market/types.ts";

/** Persistence of freshness entries, one per source and scope. */
export interface MarketFreshnessRepo {
  put(entry: FreshnessEntry): Promise<void>;
  list(): Promise<FreshnessEntry[]>;
}

/** Creates the KV-backed repository. */
export function createMarketFreshnessRepo(kv: Deno.Kv): MarketFreshnessRepo {
  return {
    async put(entry) {
      await kv.set(["market_freshness", entry.source, entry.scope], entry);
    },
    async list() {
      const out: FreshnessEntry[] = [];
      for await (const e of kv.list<FreshnessEntry>({ prefix: ["market_freshness"] })) out.push(e.value);
      return out;
    },
  };
}
