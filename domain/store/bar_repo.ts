/**
 * Daily bars in KV as packed chunks, one key per symbol-year (≤ 19,040 bytes each), under a namespace (source +
 * owner). A series has a meta record naming its current generation (a random id); `replaceSeries` writes every
 * chunk under a new generation and switches the meta last, so a reader sees the old series or the new one, never
 * a mix, and a failed write leaves the old series as it was. `appendBars` rewrites only the touched years, in the
 * same atomic commit as the meta (synthetic and live history growing day by day). Every commit that changes a
 * meta bumps the public `market` scope in the same commit (`bumpPublicScopes`): symbols, bars and freshness
 * answers read through the metas.
 */
import { concatSeries, packBars, sliceSeries, unpackBars } from "./bar_codec.ts";
import type { BarSeries, DataSource } from "../market/types.ts";
import { randomBytes } from "../tokens_and_hashes.ts";
import { ConflictError } from "../errors.ts";
import { GET_MANY_BATCH, getManyValues, withRetry } from "./kv.ts";
import { keys } from "./keys.ts";
import { MARKET_SCOPE } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** Adds the bump of the public market scope to `op` (a commit that changes a series' meta). */
const bumpMarket = (op: Deno.AtomicOperation, nowMs: number) => bumpPublicScopes(op, [MARKET_SCOPE], nowMs);

/** Whose bars: a source, and `"public"` or the id of the user who imported them. */
export interface BarNamespace {
  source: DataSource;
  owner: string;
}

/** What is stored for one series. */
export interface BarSeriesMeta {
  symbol: string;
  /** Generation whose chunks hold the series. */
  gen: number;
  /** Calendar years that have a chunk, ascending. */
  years: number[];
  rows: number;
  first_day: number | null;
  last_day: number | null;
  updated_at: number;
}

/** Persistence of bar series. */
export interface BarRepo {
  /** The stored meta of a series; `null` when absent. */
  getMeta(ns: BarNamespace, symbol: string): Promise<BarSeriesMeta | null>;
  /** The stored metas of `symbols` in `ns`, in their order (`null` where absent), read in batches at once. */
  getMetaEach(ns: BarNamespace, symbols: readonly string[]): Promise<(BarSeriesMeta | null)[]>;
  /** Bars with `startDay ≤ day ≤ endDay`, all from one generation; `null` when the series does not exist. */
  getBars(ns: BarNamespace, symbol: string, startDay: number, endDay: number): Promise<BarSeries | null>;
  /** Replaces the whole series atomically (readers see old or new); `ConflictError` if replaced concurrently. */
  replaceSeries(ns: BarNamespace, series: BarSeries, nowMs: number): Promise<BarSeriesMeta>;
  /**
   * Replaces many series of one namespace: every new generation is written first, then the metas switch in
   * commits of `METAS_PER_COMMIT` (one commit for up to that many series, so readers see all old or all new).
   * A failure before the switch leaves nothing visible; a failed later commit reverts the earlier ones.
   * `ConflictError` if one of them was replaced concurrently.
   */
  replaceMany(ns: BarNamespace, list: BarSeries[], nowMs: number): Promise<BarSeriesMeta[]>;
  /** Adds bars after the stored last day (earlier days in `series` are ignored); creates the series if absent. */
  appendBars(ns: BarNamespace, series: BarSeries, nowMs: number): Promise<BarSeriesMeta>;
  /** Deletes a series and its chunks (no-op when absent). */
  deleteSeries(ns: BarNamespace, symbol: string, nowMs: number): Promise<void>;
  /** Metas of every series in a namespace, by symbol. */
  listMetas(ns: BarNamespace): Promise<BarSeriesMeta[]>;
}

/** Chunks per atomic commit: 10 × 19 KiB stays far under KV's per-commit size budget. */
const CHUNKS_PER_COMMIT = 10;
/** Metas switched per atomic commit by `replaceMany` (KV allows 100 checks per commit). */
export const METAS_PER_COMMIT = 100;
/** Deletions per atomic commit. */
const DELETES_PER_COMMIT = 100;
/** An append touching at most this many years commits its chunks together with the meta. */
const MAX_YEARS_IN_PLACE = 8;
/** Times a reader re-reads when a writer switched generations under it. */
const READ_ATTEMPTS = 5;

/** Calendar year of a day number (days since 1970-01-01), clamped to years 0001–9999. */
export function yearOfDay(day: number): number {
  const clamped = Math.min(Math.max(day, -719_162), 2_932_896); // 0001-01-01 … 9999-12-31
  return new Date(clamped * 86_400_000).getUTCFullYear();
}
const firstDayOfYear = (y: number) => Math.round(Date.UTC(y, 0, 1) / 86_400_000);

/** A fresh generation id: 48 random bits, so concurrent writers never share one. */
function newGeneration(): number {
  const b = randomBytes(6);
  return ((b[0] << 16) | (b[1] << 8) | b[2]) * 2 ** 24 + ((b[3] << 16) | (b[4] << 8) | b[5]) + 1;
}

/** Throws `RangeError` unless every column has `days.length` rows and the days strictly increase. */
function assertWellFormed(series: BarSeries): void {
  const n = series.days.length;
  for (const col of ["open", "high", "low", "close", "volume", "adj_factor"] as const) {
    if (series[col].length !== n) {
      throw new RangeError(`${series.symbol}: column ${col} has ${series[col].length} rows, not ${n}`);
    }
  }
  for (let i = 1; i < n; i++) {
    if (series.days[i] <= series.days[i - 1]) {
      throw new RangeError(
        `${series.symbol}: days must strictly increase (row ${i}: ${series.days[i]} after ${
          series.days[i - 1]
        })`,
      );
    }
  }
}

/** Splits a (well-formed) series into per-year row ranges `[year, from, to)`. */
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
  const metaKey = (ns: BarNamespace, symbol: string) => keys.barSeries(ns.source, ns.owner, symbol);
  const chunkKey = (ns: BarNamespace, symbol: string, gen: number, year: number) =>
    keys.barChunk(ns.source, ns.owner, symbol, gen, year);

  /** Writes one chunk per year of `series` under `gen`, ten per commit; returns the years written. */
  async function writeChunks(
    ns: BarNamespace,
    symbol: string,
    gen: number,
    series: BarSeries,
  ): Promise<number[]> {
    const writes = yearRanges(series);
    for (let g = 0; g < writes.length; g += CHUNKS_PER_COMMIT) {
      let op = kv.atomic();
      for (const [y, from, to] of writes.slice(g, g + CHUNKS_PER_COMMIT)) {
        op = op.set(chunkKey(ns, symbol, gen, y), packBars(series, from, to));
      }
      if (!(await op.commit()).ok) throw new ConflictError(`Cannot write bars of "${symbol}"`);
    }
    return writes.map(([y]) => y);
  }

  /** Deletes every chunk of one generation (best effort: a crash leaves only unreachable chunks). */
  async function deleteGen(ns: BarNamespace, symbol: string, gen: number): Promise<void> {
    const doomed: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix: keys.barChunksOfGen(ns.source, ns.owner, symbol, gen) })) {
      doomed.push(e.key);
    }
    for (let i = 0; i < doomed.length; i += DELETES_PER_COMMIT) {
      let op = kv.atomic();
      for (const k of doomed.slice(i, i + DELETES_PER_COMMIT)) op = op.delete(k);
      await op.commit();
    }
  }

  /** Runs cleanup without letting its failure hide the outcome that matters. */
  async function quietly(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch {
      // Orphaned chunks of a dead generation are unreachable; they only cost space.
    }
  }

  /** The chunks of `years` of the series `meta` describes; `null` when one is missing (a writer moved on). */
  async function readChunks(
    ns: BarNamespace,
    meta: BarSeriesMeta,
    years: number[],
  ): Promise<BarSeries | null> {
    const chunks = await getManyValues<Uint8Array>(
      kv,
      years.map((y) => chunkKey(ns, meta.symbol, meta.gen, y)),
    );
    if (chunks.some((c) => c === null)) return null;
    return concatSeries(
      (chunks as Uint8Array[]).map((c) => unpackBars(c, meta.symbol, ns.source)),
      meta.symbol,
      ns.source,
    );
  }

  /**
   * Reads the meta and then `pick(meta)` years of its generation; when a chunk is gone because a writer switched
   * generations in between, starts again from the new meta. `null` when the series does not exist.
   */
  async function readConsistent(
    ns: BarNamespace,
    symbol: string,
    pick: (meta: BarSeriesMeta) => number[],
  ): Promise<{ entry: Deno.KvEntry<BarSeriesMeta>; series: BarSeries } | null> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const entry = await kv.get<BarSeriesMeta>(metaKey(ns, symbol));
      if (entry.value === null) return null;
      const series = await readChunks(ns, entry.value, pick(entry.value));
      if (series) return { entry: entry as Deno.KvEntry<BarSeriesMeta>, series };
      const again = await kv.get<BarSeriesMeta>(metaKey(ns, symbol));
      if (again.versionstamp === entry.versionstamp) {
        throw new Error(
          `Bars of "${symbol}" (${ns.source}/${ns.owner}) are missing chunks of generation ${entry.value.gen}`,
        );
      }
    }
    throw new ConflictError(`Cannot read bars of "${symbol}": the series keeps changing, try again`);
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

  /** Writes `series` as a new generation and switches the meta from `current` to it. */
  async function replaceFrom(
    ns: BarNamespace,
    current: Deno.KvEntryMaybe<BarSeriesMeta>,
    series: BarSeries,
    nowMs: number,
  ): Promise<BarSeriesMeta> {
    const symbol = series.symbol;
    const gen = newGeneration();
    let meta: BarSeriesMeta;
    try {
      const years = await writeChunks(ns, symbol, gen, series);
      meta = metaOf(symbol, gen, series, years, nowMs);
      const res = await bumpMarket(kv.atomic().check(current).set(metaKey(ns, symbol), meta), nowMs).commit();
      if (!res.ok) throw new ConflictError(`Cannot replace bars of "${symbol}": changed concurrently`);
    } catch (e) {
      await quietly(() => deleteGen(ns, symbol, gen));
      throw e;
    }
    // The new generation is live from here on: a failed cleanup must not touch it.
    if (current.value) {
      const old = current.value.gen;
      await quietly(() => deleteGen(ns, symbol, old));
    }
    return meta;
  }

  return {
    async getMeta(ns, symbol) {
      return (await kv.get<BarSeriesMeta>(metaKey(ns, symbol))).value;
    },

    async getMetaEach(ns, symbols) {
      const batches: Promise<Deno.KvEntryMaybe<BarSeriesMeta>[]>[] = [];
      for (let i = 0; i < symbols.length; i += GET_MANY_BATCH) {
        const batch = symbols.slice(i, i + GET_MANY_BATCH).map((s) => metaKey(ns, s));
        batches.push(kv.getMany<BarSeriesMeta[]>(batch));
      }
      return (await Promise.all(batches)).flat().map((e) => e.value);
    },

    async getBars(ns, symbol, startDay, endDay) {
      const y0 = yearOfDay(startDay), y1 = yearOfDay(endDay);
      const got = await readConsistent(ns, symbol, (m) => m.years.filter((y) => y >= y0 && y <= y1));
      return got && sliceSeries(got.series, startDay, endDay);
    },

    async replaceSeries(ns, series, nowMs) {
      assertWellFormed(series);
      const current = await kv.get<BarSeriesMeta>(metaKey(ns, series.symbol));
      return await replaceFrom(ns, current, series, nowMs);
    },

    async replaceMany(ns, list, nowMs) {
      const seen = new Set<string>();
      for (const series of list) {
        assertWellFormed(series);
        if (seen.has(series.symbol)) throw new RangeError(`${series.symbol} appears twice`);
        seen.add(series.symbol);
      }
      const currents: Deno.KvEntryMaybe<BarSeriesMeta>[] = [];
      for (let i = 0; i < list.length; i += 10) {
        const batch = list.slice(i, i + 10).map((s) => metaKey(ns, s.symbol));
        currents.push(...await kv.getMany<BarSeriesMeta[]>(batch));
      }
      const metas: BarSeriesMeta[] = [];
      const switched: { key: Deno.KvKey; versionstamp: string; previous: BarSeriesMeta | null }[] = [];
      try {
        for (const series of list) {
          const gen = newGeneration();
          // Pushed before writing, so a failure part-way through a series still cleans its chunks up.
          metas.push(metaOf(series.symbol, gen, series, [], nowMs));
          metas[metas.length - 1].years = await writeChunks(ns, series.symbol, gen, series);
        }
        for (let b = 0; b < list.length; b += METAS_PER_COMMIT) {
          let op = kv.atomic();
          const end = Math.min(b + METAS_PER_COMMIT, list.length);
          for (let k = b; k < end; k++) op = op.check(currents[k]).set(metaKey(ns, list[k].symbol), metas[k]);
          const res = await bumpMarket(op, nowMs).commit();
          if (!res.ok) throw new ConflictError("Cannot replace the bars: some were changed concurrently");
          for (let k = b; k < end; k++) {
            switched.push({
              key: metaKey(ns, list[k].symbol),
              versionstamp: res.versionstamp,
              previous: currents[k].value,
            });
          }
        }
      } catch (e) {
        // Put back the metas already switched (unless someone replaced them since), then drop new chunks.
        for (let i = 0; i < switched.length; i += METAS_PER_COMMIT) {
          await quietly(async () => {
            let op = kv.atomic();
            for (const s of switched.slice(i, i + METAS_PER_COMMIT)) {
              op = op.check({ key: s.key, versionstamp: s.versionstamp });
              op = s.previous ? op.set(s.key, s.previous) : op.delete(s.key);
            }
            await bumpMarket(op, nowMs).commit();
          });
        }
        for (const m of metas) await quietly(() => deleteGen(ns, m.symbol, m.gen));
        throw e;
      }
      for (const c of currents) {
        const old = c.value;
        if (old) await quietly(() => deleteGen(ns, old.symbol, old.gen));
      }
      return metas;
    },

    async appendBars(ns, series, nowMs) {
      assertWellFormed(series);
      const symbol = series.symbol;
      return await withRetry<BarSeriesMeta>(`extend bars of "${symbol}"`, async () => {
        const current = await kv.get<BarSeriesMeta>(metaKey(ns, symbol));
        const meta = current.value;
        if (!meta) {
          try {
            return { committed: true, value: await replaceFrom(ns, current, series, nowMs) };
          } catch (e) {
            if (e instanceof ConflictError) return { committed: false };
            throw e;
          }
        }
        const newer = sliceSeries(series, (meta.last_day ?? -Infinity) + 1, Infinity);
        if (newer.days.length === 0) return { committed: true, value: meta };
        const touched = yearRanges(newer).map(([y]) => y);
        if (touched.length > MAX_YEARS_IN_PLACE) {
          // Many years at once: write the whole extended series as a new generation.
          const all = await readChunks(ns, meta, meta.years);
          if (!all) return { committed: false };
          try {
            const merged = concatSeries([all, newer], symbol, ns.source);
            return { committed: true, value: await replaceFrom(ns, current, merged, nowMs) };
          } catch (e) {
            if (e instanceof ConflictError) return { committed: false };
            throw e;
          }
        }
        const touchedSet = new Set(touched);
        const existing = await readChunks(ns, meta, meta.years.filter((y) => touchedSet.has(y)));
        if (!existing) return { committed: false };
        const merged = concatSeries([existing, newer], symbol, ns.source);
        const years = [...new Set([...meta.years, ...touched])].sort((a, b) => a - b);
        const next: BarSeriesMeta = {
          ...meta,
          years,
          rows: meta.rows + newer.days.length,
          first_day: meta.first_day ?? newer.days[0],
          last_day: newer.days[newer.days.length - 1],
          updated_at: nowMs,
        };
        // Rewritten chunks and the meta commit together: a reader of this generation sees before or after.
        let op = kv.atomic().check(current);
        for (const [y, from, to] of yearRanges(merged)) {
          op = op.set(chunkKey(ns, symbol, meta.gen, y), packBars(merged, from, to));
        }
        op = bumpMarket(op.set(metaKey(ns, symbol), next), nowMs);
        return (await op.commit()).ok ? { committed: true, value: next } : { committed: false };
      });
    },

    async deleteSeries(ns, symbol, nowMs) {
      await withRetry<void>(`delete bars of "${symbol}"`, async () => {
        const current = await kv.get<BarSeriesMeta>(metaKey(ns, symbol));
        if (!current.value) return { committed: true, value: undefined };
        const res = await bumpMarket(kv.atomic().check(current).delete(metaKey(ns, symbol)), nowMs).commit();
        if (!res.ok) return { committed: false };
        const gen = current.value.gen;
        await quietly(() => deleteGen(ns, symbol, gen));
        return { committed: true, value: undefined };
      });
    },

    async listMetas(ns) {
      const out: BarSeriesMeta[] = [];
      for await (const e of kv.list<BarSeriesMeta>({ prefix: keys.barSeriesOfOwner(ns.source, ns.owner) })) {
        out.push(e.value);
      }
      return out;
    },
  };
}
