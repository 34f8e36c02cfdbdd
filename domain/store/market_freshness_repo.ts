/** Per-symbol freshness of live providers (last bar, last error), for `/data/freshness` and `/health`. */
import type { FreshnessEntry } from "../market/types.ts";
import { MARKET_SCOPE } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** Persistence of freshness entries, one per source and scope. */
export interface MarketFreshnessRepo {
  put(entry: FreshnessEntry): Promise<void>;
  list(): Promise<FreshnessEntry[]>;
}

/** Creates the KV-backed repository. */
export function createMarketFreshnessRepo(kv: Deno.Kv): MarketFreshnessRepo {
  return {
    async put(entry) {
      // The public freshness answer shows the entry: its scope is bumped in the same commit.
      const op = kv.atomic().set(["market_freshness", entry.source, entry.scope], entry);
      await bumpPublicScopes(op, [MARKET_SCOPE], entry.checked_at).commit();
    },
    async list() {
      const out: FreshnessEntry[] = [];
      for await (const e of kv.list<FreshnessEntry>({ prefix: ["market_freshness"] })) out.push(e.value);
      return out;
    },
  };
}
