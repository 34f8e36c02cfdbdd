/** An in-process LRU of whole bar series, bounded by bytes (52 bytes per bar), in front of KV. */
import { BYTES_PER_BAR } from "../store/bar_codec.ts";
import type { BarSeries } from "./types.ts";

/** The LRU cache. */
export interface BarCache {
  get(key: string): BarSeries | undefined;
  set(key: string, series: BarSeries): void;
  delete(key: string): void;
  /** Bytes held now. */
  bytes(): number;
}

/** Creates a cache holding at most `maxBytes` of bars (0 disables it). */
export function createBarCache(maxBytes: number): BarCache {
  const map = new Map<string, BarSeries>();
  let held = 0;
  const size = (s: BarSeries) => s.days.length * BYTES_PER_BAR;
  return {
    get(key) {
      const hit = map.get(key);
      if (hit) {
        map.delete(key);
        map.set(key, hit); // most recently used last
      }
      return hit;
    },
    set(key, series) {
      const old = map.get(key);
      if (old) {
        held -= size(old);
        map.delete(key);
      }
      if (size(series) > maxBytes) return;
      map.set(key, series);
      held += size(series);
      for (const [k, v] of map) {
        if (held <= maxBytes) break;
        map.delete(k);
        held -= size(v);
      }
    },
    delete(key) {
      const old = map.get(key);
      if (old) held -= size(old);
      map.delete(key);
    },
    bytes: () => held,
  };
}
