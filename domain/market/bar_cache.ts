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
  /** What is held now: series, bars, bytes and the first and last day number over them (`null` when empty). */
  stats(): { series: number; rows: number; bytes: number; firstDay: number | null; lastDay: number | null };
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
    stats() {
      let rows = 0, first = Infinity, last = -Infinity;
      for (const s of map.values()) {
        rows += s.days.length;
        if (s.days.length) {
          (first = Math.min(first, s.days[0])), (last = Math.max(last, s.days[s.days.length - 1]));
        }
      }
      return {
        series: map.size,
        rows,
        bytes: held,
        firstDay: Number.isFinite(first) ? first : null,
        lastDay: Number.isFinite(last) ? last : null,
      };
    },
  };
}
