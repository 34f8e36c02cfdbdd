/**
 * Daily bars in KV as packed chunks, one key per symbol-year (≤ 19 KiB each), under a namespace (source + owner).
 * A series has a meta record naming its current generation; `replaceSeries` writes a new generation and switches
 * the meta last, so readers see the old series or the new one, never a mix, and a failed write stores nothing
 * visible. `appendBars` extends the current generation (synthetic history growing day by day).
 */
import { concatSeries, packBars, sliceSeries, unpackBars } from "../market/bar_codec.ts";
import type { BarSeries, DataSource } from "../market/types.ts";
import { ConflictError } from "../errors.ts";
import { getManyValues } from "./kv.ts";

/** Whose bars: a source, and `"public"` or the id of the user who imported them. */
export interface BarNamespace {
  source: DataSource;
  owner: string;
}

/** What is stored for one series. */
export interface BarSeriesMeta {
  symbol: string;
  gen: number;
  years: number[];
  rows: number;
  first_day: number | null;
  last_day: number | null;
  updated_at: number;
}

/** Persistence of bar series. */
export interface BarRepo {
  getMeta(ns: BarNamespace, symbol: string): Promise<BarSeriesMeta | null>;
  /** Bars with `startDay ≤ day ≤ endDay`; `null` when the series does not exist. */
  getBars(ns: BarNamespace, symbol: string, startDay: number, endDay: number): Promise<BarSeries | null>;
  /** Replaces the whole series atomically (readers see old or new). */
  replaceSeries(ns: BarNamespace, series: BarSeries, nowMs: number): Promise<BarSeriesMeta>;
  /** Adds bars after the stored last day (earlier days in `series` are ignored); creates the series if absent. */
  appendBars(ns: BarNamespace, series: BarSeries, nowMs: number): Promise<BarSeriesMeta>;
  /** Deletes a series and its chunks. */
  deleteSeries(ns: BarNamespace, symbol: string): Promise<void>;
  /** Metas of every series in a namespace. */
  listMetas(ns: BarNamespace): Promise<BarSeriesMeta[]>;
}

const DAYS_PER_YEAR_APPROX = 365.2425;
/** Calendar year of a day number. */
export function yearOfDay(day: number): number {
  const clamped = Math.min(Math.max(day, -719_162), 2_932_896); // 0001-01-01 … 9999-12-31
  return new Date(clamped * 86_400_000).getUTCFullYear();
}
const firstDayOfYear = (y: number) => Math.round(Date.UTC(y, 0, 1) / 86_400_000);

const metaKey = (ns: BarNamespace, symbol: string) => ["bar_series", ns.source, ns.owner, symbol] as const;
const chunkKey = (ns: BarNamespace, symbol: string, gen: number, year: number) =>
  ["bar_chunks", ns.source, ns.owner, symbol, gen, year] as const;

/** Splits a series into per-year row ranges. */
function yearRanges(series: BarSeries): [number, number, number][] {
  const out: [number, number, number][] = [];
  let i = 0;
  while (i < series.days.length) {
    const y = yearOfDay(series.days[i]);
    const next = firstDayOfYear(y + 1);
    let j = i;
    while (j < series.days.length && series.days[j] < next) j++;
    out.push([y, i, j]);
    i = j;
  }
  return out;
}

/** Creates the KV-backed bar repository. */
export function createBarRepo(kv: Deno.Kv): BarRepo {
  async function writeChunks(
    ns: BarNamespace,
    symbol: string,
    gen: number,
    series: BarSeries,
    years?: Set<number>,
  ) {
    const writes = yearRanges(series).filter(([y]) => !years || years.has(y));
    for (let g = 0; g < writes.length; g += 10) {
      let op = kv.atomic();
      for (const [y, from, to] of writes.slice(g, g + 10)) {
        op = op.set(chunkKey(ns, symbol, gen, y), packBars(series, from, to));
      }
      if (!(await op.commit()).ok) throw new ConflictError(`Cannot write bars of "${symbol}"`);
    }
    return writes.map(([y]) => y);
  }

  async function readAll(ns: BarNamespace, meta: BarSeriesMeta, years: number[]): Promise<BarSeries> {
    const chunks = await getManyValues<Uint8Array>(
      kv,
      years.map((y) => chunkKey(ns, meta.symbol, meta.gen, y)),
    );
    return concatSeries(
      chunks.filter((c): c is Uint8Array => c !== null).map((c) => unpackBars(c, meta.symbol, ns.source)),
      meta.symbol,
      ns.source,
    );
  }

  async function deleteGen(ns: BarNamespace, symbol: string, gen: number) {
    const keysToDelete: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix: ["bar_chunks", ns.source, ns.owner, symbol, gen] })) {
      keysToDelete.push(e.key);
    }
    for (let i = 0; i < keysToDelete.length; i += 100) {
      let op = kv.atomic();
      for (const k of keysToDelete.slice(i, i + 100)) op = op.delete(k);
      await op.commit();
    }
  }

  const metaOf = (
    symbol: string,
    gen: number,
    series: BarSeries,
    years: number[],
    nowMs: number,
  ): BarSeriesMeta => ({
    symbol,
    gen,
    years,
    rows: series.days.length,
    first_day: series.days.length ? series.days[0] : null,
    last_day: series.days.length ? series.days[series.days.length - 1] : null,
    updated_at: nowMs,
  });

  return {
    async getMeta(ns, symbol) {
      return (await kv.get<BarSeriesMeta>(metaKey(ns, symbol))).value;
    },
    async getBars(ns, symbol, startDay, endDay) {
      const meta = (await kv.get<BarSeriesMeta>(metaKey(ns, symbol))).value;
      if (!meta) return null;
      const y0 = yearOfDay(startDay), y1 = yearOfDay(endDay);
      const all = await readAll(ns, meta, meta.years.filter((y) => y >= y0 && y <= y1));
      return sliceSeries(all, startDay, endDay);
    },
    async replaceSeries(ns, series, nowMs) {
      const symbol = series.symbol;
      const current = await kv.get<BarSeriesMeta>(metaKey(ns, symbol));
      const gen = (current.value?.gen ?? 0) + 1 + Math.floor(Math.random() * 1000) * 1000;
      try {
        const years = await writeChunks(ns, symbol, gen, series);
        const meta = metaOf(symbol, gen, series, years, nowMs);
        if (!(await kv.atomic().check(current).set(metaKey(ns, symbol), meta).commit()).ok) {
          throw new ConflictError(`Cannot replace bars of "${symbol}": changed concurrently`);
        }
        if (current.value) await deleteGen(ns, symbol, current.value.gen);
        return meta;
      } catch (e) {
        await deleteGen(ns, symbol, gen);
        throw e;
      }
    },
    async appendBars(ns, series, nowMs) {
      const current = await kv.get<BarSeriesMeta>(metaKey(ns, series.symbol));
      if (!current.value) return await this.replaceSeries(ns, series, nowMs);
      const meta = current.value;
      const newer = sliceSeries(series, (meta.last_day ?? -Infinity) + 1, Number.MAX_SAFE_INTEGER);
      if (newer.days.length === 0) return meta;
      const touched = new Set(yearRanges(newer).map(([y]) => y));
      const existing = await readAll(ns, meta, meta.years.filter((y) => touched.has(y)));
      const merged = concatSeries([existing, newer], series.symbol, ns.source);
      await writeChunks(ns, series.symbol, meta.gen, merged, touched);
      const years = [...new Set([...meta.years, ...touched])].sort((a, b) => a - b);
      const next: BarSeriesMeta = {
        ...meta,
        years,
        rows: meta.rows + newer.days.length,
        first_day: meta.first_day ?? newer.days[0],
        last_day: newer.days[newer.days.length - 1],
        updated_at: nowMs,
      };
      if (!(await kv.atomic().check(current).set(metaKey(ns, series.symbol), next).commit()).ok) {
        throw new ConflictError(`Cannot extend bars of "${series.symbol}": changed concurrently`);
      }
      return next;
    },
    async deleteSeries(ns, symbol) {
      const current = await kv.get<BarSeriesMeta>(metaKey(ns, symbol));
      if (!current.value) return;
      await kv.delete(metaKey(ns, symbol));
      await deleteGen(ns, symbol, current.value.gen);
    },
    async listMetas(ns) {
      const out: BarSeriesMeta[] = [];
      for await (const e of kv.list<BarSeriesMeta>({ prefix: ["bar_series", ns.source, ns.owner] })) {
        out.push(e.value);
      }
      return out;
    },
  };
}

/** Rough number of calendar years a series spans (for sizing estimates). */
export const approxYears = (days: number) => days / DAYS_PER_YEAR_APPROX;
