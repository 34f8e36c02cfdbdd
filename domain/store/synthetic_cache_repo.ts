/** How far each synthetic series has been generated into the bar store (per seed), so extension is incremental. */

/** Persistence of generation marks. */
export interface SyntheticCacheRepo {
  /** The last date a symbol was generated through, or `null`. */
  getThrough(seed: number, symbol: string): Promise<string | null>;
  setThrough(seed: number, symbol: string, through: string): Promise<void>;
  /** Number of symbols generated so far for `seed`. */
  countGenerated(seed: number): Promise<number>;
}

/** Creates the KV-backed repository. */
export function createSyntheticCacheRepo(kv: Deno.Kv): SyntheticCacheRepo {
  return {
    async getThrough(seed, symbol) {
      return (await kv.get<string>(["synthetic_through", seed, symbol])).value;
    },
    async setThrough(seed, symbol, through) {
      await kv.set(["synthetic_through", seed, symbol], through);
    },
    async countGenerated(seed) {
      let n = 0;
      for await (const _ of kv.list({ prefix: ["synthetic_through", seed] })) n++;
      return n;
    },
  };
}
