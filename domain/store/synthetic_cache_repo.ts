/**
 * How far each synthetic series has been generated into the bar store, so extension is incremental. One mark per
 * seed and symbol at `["synthetic_through", seed, symbol]`, holding the date and the bar-store owner (namespace)
 * it was written for: a mark written for another generator version reads as absent.
 */
import { keys } from "./keys.ts";

/** A stored mark. */
interface ThroughMark {
  through: string;
  /** The bar namespace owner the bars were stored under, e.g. `public:seed42:g1a2b3c4d`. */
  owner: string;
}

/** Persistence of generation marks. */
export interface SyntheticCacheRepo {
  /** The last date `symbol` was generated through into namespace `owner`; `null` when absent or for another owner. */
  getThrough(seed: number, symbol: string, owner: string): Promise<string | null>;
  /** Records that `symbol` is generated through `through` into namespace `owner`. */
  setThrough(seed: number, symbol: string, owner: string, through: string): Promise<void>;
  /** Number of symbols with a mark for `seed` (any owner). */
  countGenerated(seed: number): Promise<number>;
}

/** Creates the KV-backed repository. */
export function createSyntheticCacheRepo(kv: Deno.Kv): SyntheticCacheRepo {
  return {
    async getThrough(seed, symbol, owner) {
      const mark = (await kv.get<ThroughMark | string>(keys.syntheticThrough(seed, symbol))).value;
      // A plain string is a mark from before marks named their owner: unknown generator, so absent.
      return mark !== null && typeof mark === "object" && mark.owner === owner ? mark.through : null;
    },
    async setThrough(seed, symbol, owner, through) {
      await kv.set(keys.syntheticThrough(seed, symbol), { through, owner } satisfies ThroughMark);
    },
    async countGenerated(seed) {
      let n = 0;
      for await (const _ of kv.list({ prefix: keys.syntheticThroughOfSeed(seed) })) n++;
      return n;
    },
  };
}
