/**
 * Persistence of alpha factors (issue 15): one record per factor, an owner index, the factor's values stored
 * per date in chunks (each KV value < 64 KiB, each commit < 1,000 mutations and < 800 KiB), a per-factor date
 * index kept in the same commit as the record's `values` summary, and the validation series (daily IC and the
 * long-short curve) as a blob.
 */
import type { FactorCheck, FactorYearStats } from "../factors/factor_stats.ts";
import { type Clock, sleep, systemClock } from "../clock.ts";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { getBlob, MAX_CHUNK_BYTES, putBlob, withRetry } from "./kv.ts";
import { keys } from "./keys.ts";

/** Lifecycle of a factor: draft → ready (≥ 120 trading days) → validating → active | rejected. */
export type FactorStatus = "draft" | "ready" | "validating" | "active" | "rejected";

/** The universes a factor (and a multi-factor portfolio) can name. */
export const FACTOR_UNIVERSES = ["hs300", "csi500", "csi1000"] as const;
/** A factor universe. */
export type FactorUniverse = typeof FACTOR_UNIVERSES[number];

/** Where a factor's values come from: uploaded by its owner, or computed by the platform from `expression`. */
export type FactorValuesSource = "upload" | "formula";

/** The in-sample metrics of the last validation (`is` in the API). */
export interface FactorIsMetrics {
  ic_mean: number | null;
  ic_ir: number | null;
  turnover: number | null;
  sharpe: number | null;
  fitness: number | null;
  /** IC mean at lags 1..5. */
  ic_decay: (number | null)[] | null;
  coverage: number | null;
  data_days: number | null;
  max_correlation: number | null;
  /** Beyond the document: the sample std of the daily ICs, the LS annualised return, the number of defined ICs. */
  ic_std: number | null;
  annualised_return: number | null;
  ic_days: number | null;
}

/** Out-of-sample tracking (`os` in the API). */
export interface FactorOsMetrics {
  ic_mean_30d: number | null;
  ic_mean_60d: number | null;
  ic_mean_120d: number | null;
  /** First factor date after activation with a defined IC. */
  start_date: string | null;
  /** Beyond the document: out-of-sample days with a defined IC, the last such factor date, when last tracked. */
  days: number;
  last_date: string | null;
  updated_at: number | null;
}

/** What the values hold, kept in the same commit as the date index. */
export interface FactorValuesSummary {
  total_days: number;
  start_date: string | null;
  end_date: string | null;
}

/** A factor as stored. */
export interface FactorRecord {
  id: string;
  owner_id: string;
  name: string;
  universe: FactorUniverse;
  description: string | null;
  expression: string | null;
  values_source: FactorValuesSource;
  /** Formula factors: trading days of history computed (and validated); `null` for uploads. */
  history_days: number | null;
  claimed: { ic_mean: number | null; ic_ir: number | null };
  status: FactorStatus;
  is: FactorIsMetrics | null;
  os: FactorOsMetrics | null;
  checks: FactorCheck[] | null;
  reject_reason: string | null;
  yearly_stats: FactorYearStats[] | null;
  values: FactorValuesSummary;
  submitted_at: number | null;
  validated_at: number | null;
  /** When the factor last became active (out-of-sample days are factor dates after this instant's CST date). */
  activated_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The validation series of a factor (stored apart from the record: they grow with the data). */
export interface FactorSeries {
  ic_series: { date: string; ic: number }[];
  ls_cumulative_returns: { date: string; ls_return: number; cumulative: number }[];
}

/** One date's values to store: parallel arrays, symbols unique. */
export interface FactorValuesRow {
  date: string;
  symbols: readonly string[];
  values: Float64Array;
}

/** Most factors one user can hold (any status). */
export const MAX_FACTORS_PER_USER = 100;
/** Most dates one factor can hold. */
export const MAX_FACTOR_DATES = 4000;
/** Most distinct symbols one factor can hold values for (over all its dates). */
export const MAX_FACTOR_SYMBOLS = 4000;

/** Access to factors and their values. */
export interface FactorRepo {
  /** Stores a new factor; `ForbiddenError` when the owner already holds `MAX_FACTORS_PER_USER`. */
  create(record: FactorRecord): Promise<void>;
  get(id: string): Promise<FactorRecord | null>;
  /**
   * Applies `change` to the current record and stores it if nothing changed in between (retried on races);
   * `change` may throw to refuse. Answers the stored record, `null` when the factor does not exist.
   */
  update(id: string, change: (current: FactorRecord) => FactorRecord): Promise<FactorRecord | null>;
  /** The owner's factors, newest first. */
  listByOwner(ownerId: string): Promise<FactorRecord[]>;
  /** Every active factor (for out-of-sample tracking), in id order. */
  listActive(): Promise<FactorRecord[]>;
  /** Deletes the factor, its values, its date index and its series. */
  delete(id: string): Promise<void>;
  /**
   * Upserts `rows` (same date overwrites that date's values) in commits that stay under KV's limits, then in
   * one last commit (checked against concurrent writers, retried) stores the new date index and
   * `change(record, summary)` — the record with its `values` summary and whatever status the caller derives.
   * `ConflictError` when the factor's dates would exceed `MAX_FACTOR_DATES` or symbols `MAX_FACTOR_SYMBOLS`;
   * `change` may throw to refuse (nothing is then stored). Answers the stored record.
   */
  putValues(
    id: string,
    rows: readonly FactorValuesRow[],
    change: (current: FactorRecord, summary: FactorValuesSummary) => FactorRecord,
  ): Promise<FactorRecord>;
  /** The factor's value dates, ascending. */
  valueDates(id: string): Promise<string[]>;
  /**
   * The values on `dates` for `symbols` as `Float64Array(dates × symbols)` row-major, NaN where absent; read in
   * one pass over the factor's chunks.
   */
  readValues(id: string, dates: readonly string[], symbols: readonly string[]): Promise<Float64Array>;
  /** One date's values as stored (symbols in storage order), `null` when the date has none. */
  readDate(id: string, date: string): Promise<{ symbols: string[]; values: Float64Array } | null>;
  putSeries(id: string, series: FactorSeries): Promise<void>;
  getSeries(id: string): Promise<FactorSeries | null>;
}

/*
 * Storage layout (all keys in keys.ts):
 * - `["factor_symbols", id, k]`: the factor's symbol dictionary, append-only string chunks, so the number a
 *   symbol gets never changes and value entries written earlier stay valid.
 * - `["factor_values", id, day, tag, part]`: one date's values as written by one upload (`tag`, random per
 *   upload): `m` Float64 values (bit-exact, -0 and NaN payloads kept) then `m` Uint16 dictionary numbers, in
 *   the upload's order; 10 bytes a value, at most `VALUES_PER_PART` values (60 KiB) a part.
 * - `["factor_date_index", id, k]`: Int32 triples (day, tag, parts) sorted by day, chunked, every chunk rewritten
 *   in the commit that also stores the record; a date's live values are those of the tag the index names, so
 *   value entries of an upload that never reaches its last commit are invisible.
 * - `["factor_uploads", id, tag]`: an upload's marker, the triples to delete if the upload never finishes; the
 *   last commit turns it into the list of entries it superseded, deleted right after. A marker older than
 *   `STALE_UPLOAD_MS` is abandoned (its own last commit then fails) and cleaned by the next upload or delete.
 */

/** Bytes per stored value: a Float64 and a Uint16 dictionary number. */
const VALUE_BYTES = 10;
/** Values per stored part: 6,144 × 10 bytes = 60 KiB. */
const VALUES_PER_PART = Math.floor(MAX_CHUNK_BYTES / VALUE_BYTES);
/** Index triples (day, tag, parts) per index chunk. */
const TRIPLES_PER_CHUNK = Math.floor(MAX_CHUNK_BYTES / 12);
/** Budget of one value-writing commit: far under KV's 1,000 mutations and ~800 KiB. */
const COMMIT_MUTATIONS = 200;
const COMMIT_BYTES = 512 * 1024;
/** Value-writing commits under way at once. */
const COMMITS_IN_FLIGHT = 3;
/** An upload whose marker is older than this is considered crashed. */
const STALE_UPLOAD_MS = 15 * 60_000;
/** Longest symbol accepted into the dictionary (the platform's symbols are far shorter). */
const MAX_SYMBOL_LENGTH = 64;
/** Bytes of symbols per dictionary chunk (counted as UTF-16, as V8 may serialise them). */
const DICTIONARY_CHUNK_BYTES = MAX_CHUNK_BYTES - 1024;
/** Most cells one `readValues` answers (4,000 dates × 4,000 symbols). */
const MAX_READ_CELLS = MAX_FACTOR_DATES * MAX_FACTOR_SYMBOLS;
/** Reads that met a writer mid-way start again this many times, pausing longer each time, before a 409. */
const READ_ATTEMPTS = 8;

/**
 * The pause before read attempt `attempt` + 1 (exponential from 4 ms, with jitter, about 0.5 s in all), so a
 * reader that keeps meeting a writer lets it finish instead of starving while the writer keeps replacing dates.
 */
function pauseBeforeReread(attempt: number): Promise<void> {
  return sleep(4 * 2 ** attempt * (0.5 + Math.random() / 2));
}
// Dictionary numbers are stored as Uint16.
if (MAX_FACTOR_SYMBOLS > 65_536) throw new Error("MAX_FACTOR_SYMBOLS must fit a Uint16 dictionary number");

interface IndexChunk {
  chunks: number;
  /** Same in every chunk of one write, so a reader never mixes two writes' chunks. */
  gen: number;
  data: Uint8Array;
}

interface DateIndex {
  /** Chunk 0: every index write rewrites it, so checking it guards the whole index. */
  head: Deno.KvEntryMaybe<IndexChunk>;
  chunks: number;
  days: Int32Array;
  tags: Int32Array;
  parts: Int32Array;
}

interface UploadMarker {
  started_at: number;
  abandoned: boolean;
  /** Int32 triples (day, tag, parts) of value entries no index points to. */
  data: Uint8Array;
}

interface Triples {
  days: Int32Array;
  tags: Int32Array;
  parts: Int32Array;
}

function packTriples(t: Triples): Uint8Array {
  const n = t.days.length;
  const out = new Int32Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[3 * i] = t.days[i];
    out[3 * i + 1] = t.tags[i];
    out[3 * i + 2] = t.parts[i];
  }
  return new Uint8Array(out.buffer);
}

function unpackTriples(bytes: Uint8Array): Triples {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const raw = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  const n = raw.length / 3;
  const t = { days: new Int32Array(n), tags: new Int32Array(n), parts: new Int32Array(n) };
  for (let i = 0; i < n; i++) {
    t.days[i] = raw[3 * i];
    t.tags[i] = raw[3 * i + 1];
    t.parts[i] = raw[3 * i + 2];
  }
  return t;
}

function sliceTriples(t: Triples, from: number, to: number): Triples {
  return {
    days: t.days.subarray(from, to),
    tags: t.tags.subarray(from, to),
    parts: t.parts.subarray(from, to),
  };
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of a real `YYYY-MM-DD` date (years 1000–9999), `null` for anything else. */
function dayOf(date: string): number | null {
  const m = ISO_DATE.exec(date);
  if (!m || m[1] < "1000") return null;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
  return Number.isInteger(day) && fromDayNumber(day) === date ? day : null;
}

/** Position of `day` in the ascending `days`, or -1. */
function findDay(days: Int32Array, day: number): number {
  let lo = 0, hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] === day) return mid;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function summaryOf(days: Int32Array): FactorValuesSummary {
  const n = days.length;
  return {
    total_days: n,
    start_date: n ? fromDayNumber(days[0]) : null,
    end_date: n ? fromDayNumber(days[n - 1]) : null,
  };
}

/** A random non-zero Int32 upload tag. */
function newTag(): number {
  const a = new Int32Array(1);
  do crypto.getRandomValues(a); while (a[0] === 0);
  return a[0];
}

/** Decodes one stored part into `out[rowBase + colOf[symbol number]]` (columns < 0 are not wanted). */
function decodeInto(bytes: Uint8Array, colOf: Int32Array, out: Float64Array, rowBase: number): void {
  const m = bytes.length / VALUE_BYTES;
  const b = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const values = new Float64Array(b.buffer, b.byteOffset, m);
  const numbers = new Uint16Array(b.buffer, b.byteOffset + 8 * m, m);
  for (let k = 0; k < m; k++) {
    const c = colOf[numbers[k]];
    if (c >= 0) out[rowBase + c] = values[k];
  }
}

/** One row encoded: its parts' bytes (storage order = the row's order). */
function encodeRow(row: FactorValuesRow, numberOf: Map<string, number>, perPart: number) {
  const n = row.symbols.length;
  const parts: Uint8Array[] = [];
  for (let from = 0; from < n; from += perPart) {
    const m = Math.min(perPart, n - from);
    const buf = new ArrayBuffer(m * VALUE_BYTES);
    new Float64Array(buf, 0, m).set(row.values.subarray(from, from + m));
    const numbers = new Uint16Array(buf, 8 * m, m);
    for (let k = 0; k < m; k++) numbers[k] = numberOf.get(row.symbols[from + k])!;
    parts.push(new Uint8Array(buf));
  }
  return parts;
}

function checkSameFactor(before: FactorRecord, after: FactorRecord): void {
  if (after.id !== before.id || after.owner_id !== before.owner_id) {
    throw new Error("A factor's id and owner never change");
  }
}

/** Keeps the active index in step with a status change (same commit as the record). */
function maintainActive(op: Deno.AtomicOperation, before: FactorRecord, after: FactorRecord): void {
  if (before.status !== "active" && after.status === "active") op.set(keys.factorActive(after.id), after.id);
  if (before.status === "active" && after.status !== "active") op.delete(keys.factorActive(after.id));
}

/** Options of the KV factor repository (tests move the clock to age an upload). */
export interface FactorRepoOptions {
  clock?: Clock;
  /** Values per stored part (default 6,144, i.e. 60 KiB); tests lower it to exercise dates split in parts. */
  valuesPerPart?: number;
}

/** Builds the KV implementation (storage layout above). */
export function createFactorRepo(kv: Deno.Kv, opts: FactorRepoOptions = {}): FactorRepo {
  const clock = opts.clock ?? systemClock;
  const perPart = Math.max(1, Math.min(VALUES_PER_PART, Math.floor(opts.valuesPerPart ?? VALUES_PER_PART)));

  async function readIndexFrom(id: string, head: Deno.KvEntryMaybe<IndexChunk>): Promise<DateIndex | null> {
    const empty = new Int32Array(0);
    if (!head.value) return { head, chunks: 0, days: empty, tags: empty, parts: empty };
    const { chunks, gen } = head.value;
    const datas = [head.value.data];
    for (let i = 1; i < chunks; i += 10) {
      const batch = await kv.getMany<IndexChunk[]>(
        Array.from({ length: Math.min(10, chunks - i) }, (_, k) => keys.factorDateIndex(id, i + k)),
      );
      for (const e of batch) {
        if (!e.value || e.value.gen !== gen) return null;
        datas.push(e.value.data);
      }
    }
    return { head, chunks, ...unpackTriples(concatBytes(datas)) };
  }

  async function readIndex(id: string): Promise<DateIndex> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      if (attempt) await pauseBeforeReread(attempt);
      const index = await readIndexFrom(id, await kv.get<IndexChunk>(keys.factorDateIndex(id, 0)));
      if (index) return index;
    }
    throw new ConflictError("The factor's date index changed while being read; try again");
  }

  /** Sets the index chunks for `t` (and deletes chunks a longer previous index had). */
  function writeIndex(op: Deno.AtomicOperation, id: string, t: Triples, previousChunks: number): void {
    const n = t.days.length;
    const chunks = Math.max(1, Math.ceil(n / TRIPLES_PER_CHUNK));
    const gen = newTag();
    for (let c = 0; c < chunks; c++) {
      const data = packTriples(
        sliceTriples(t, c * TRIPLES_PER_CHUNK, Math.min(n, (c + 1) * TRIPLES_PER_CHUNK)),
      );
      op.set(keys.factorDateIndex(id, c), { chunks, gen, data } satisfies IndexChunk);
    }
    for (let c = chunks; c < previousChunks; c++) op.delete(keys.factorDateIndex(id, c));
  }

  async function readDictionary(id: string) {
    const symbols: string[] = [];
    let last: Deno.KvEntry<string[]> | null = null;
    for await (const e of kv.list<string[]>({ prefix: keys.factorSymbolsOf(id) })) {
      symbols.push(...e.value);
      last = e;
    }
    return { symbols, last };
  }

  /**
   * Adds `fresh` (symbols the dictionary did not hold at the pre-check, in first-seen order) to the dictionary,
   * checked against concurrent appends and retried; answers every symbol's number.
   */
  function appendSymbols(id: string, fresh: readonly string[]): Promise<Map<string, number>> {
    return withRetry<Map<string, number>>("add the factor's symbols", async () => {
      const dict = await readDictionary(id);
      const numberOf = new Map<string, number>();
      dict.symbols.forEach((s, i) => numberOf.set(s, i));
      const added: string[] = [];
      for (const s of fresh) {
        if (numberOf.has(s)) continue;
        numberOf.set(s, numberOf.size);
        added.push(s);
      }
      if (numberOf.size > MAX_FACTOR_SYMBOLS) throw symbolLimitError(numberOf.size);
      if (!added.length) return { committed: true, value: numberOf };
      const lastNo = dict.last ? (dict.last.key[2] as number) : -1;
      let chunkNo = lastNo;
      let chunk = dict.last ? [...dict.last.value] : [];
      let bytes = chunk.reduce((b, s) => b + 2 * s.length + 8, 0);
      const op = kv.atomic();
      if (dict.last) op.check(dict.last);
      op.check({ key: keys.factorSymbols(id, lastNo + 1), versionstamp: null });
      if (!dict.last) {
        chunkNo = 0;
      }
      for (const s of added) {
        const size = 2 * s.length + 8;
        if (bytes + size > DICTIONARY_CHUNK_BYTES && chunk.length) {
          op.set(keys.factorSymbols(id, chunkNo), chunk);
          chunkNo++;
          chunk = [];
          bytes = 0;
        }
        chunk.push(s);
        bytes += size;
      }
      op.set(keys.factorSymbols(id, chunkNo), chunk);
      const res = await op.commit();
      return res.ok ? { committed: true, value: numberOf } : { committed: false };
    });
  }

  function symbolLimitError(n: number): ConflictError {
    return new ConflictError(
      `A factor holds values for at most ${MAX_FACTOR_SYMBOLS} distinct symbols; this upload would make ${n}`,
    );
  }

  function dateLimitError(n: number): ConflictError {
    return new ConflictError(`A factor holds at most ${MAX_FACTOR_DATES} dates; this upload would make ${n}`);
  }

  /** Deletes the value entries `t` names, in bounded commits. */
  async function deleteEntries(id: string, t: Triples): Promise<void> {
    let op = kv.atomic();
    let n = 0;
    for (let i = 0; i < t.days.length; i++) {
      for (let p = 0; p < t.parts[i]; p++) {
        op.delete(keys.factorValue(id, t.days[i], t.tags[i], p));
        if (++n === COMMIT_MUTATIONS) {
          await op.commit();
          op = kv.atomic();
          n = 0;
        }
      }
    }
    if (n) await op.commit();
  }

  /** Deletes every key under `prefix`, in bounded commits. */
  async function deletePrefix(prefix: Deno.KvKey): Promise<void> {
    for (;;) {
      const batch: Deno.KvKey[] = [];
      for await (const e of kv.list({ prefix }, { limit: COMMIT_MUTATIONS })) batch.push(e.key);
      if (!batch.length) return;
      const op = kv.atomic();
      for (const k of batch) op.delete(k);
      await op.commit();
    }
  }

  /** Cleans the entries of uploads that crashed (markers older than `STALE_UPLOAD_MS`, or abandoned). */
  async function cleanStaleUploads(id: string): Promise<void> {
    const now = clock.now();
    for await (const e of kv.list<UploadMarker>({ prefix: keys.factorUploadsOf(id) })) {
      if (!e.value.abandoned && now - e.value.started_at < STALE_UPLOAD_MS) continue;
      if (!e.value.abandoned) {
        // Abandon first: the upload's own last commit checks its marker, so it can no longer point the index
        // at entries deleted here.
        const res = await kv.atomic().check(e).set(e.key, { ...e.value, abandoned: true }).commit();
        if (!res.ok) continue;
      }
      await deleteEntries(id, unpackTriples(e.value.data));
      await kv.delete(e.key);
    }
  }

  async function readRecordAndIndex(id: string) {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      if (attempt) await pauseBeforeReread(attempt);
      const [record, head] = await kv.getMany<[FactorRecord, IndexChunk]>([
        keys.factor(id),
        keys.factorDateIndex(id, 0),
      ]);
      const index = await readIndexFrom(id, head);
      if (index) return { record, index };
    }
    throw new ConflictError("The factor's date index changed while being read; try again");
  }

  /** The index with `ours` merged in (ours win on the same day), and the entries ours superseded. */
  function mergeIndex(index: DateIndex, ours: Triples): { merged: Triples; superseded: Triples } {
    const a = index, b = ours;
    const n = a.days.length + b.days.length;
    const merged = { days: new Int32Array(n), tags: new Int32Array(n), parts: new Int32Array(n) };
    const sup = { days: [] as number[], tags: [] as number[], parts: [] as number[] };
    let i = 0, j = 0, k = 0;
    const take = (t: Triples, x: number) => {
      merged.days[k] = t.days[x];
      merged.tags[k] = t.tags[x];
      merged.parts[k] = t.parts[x];
      k++;
    };
    while (i < a.days.length || j < b.days.length) {
      if (j >= b.days.length || (i < a.days.length && a.days[i] < b.days[j])) take(a, i++);
      else if (i >= a.days.length || b.days[j] < a.days[i]) take(b, j++);
      else {
        if (a.tags[i] !== b.tags[j]) {
          sup.days.push(a.days[i]);
          sup.tags.push(a.tags[i]);
          sup.parts.push(a.parts[i]);
        }
        take(b, j++);
        i++;
      }
    }
    return {
      merged: sliceTriples(merged, 0, k),
      superseded: {
        days: Int32Array.from(sup.days),
        tags: Int32Array.from(sup.tags),
        parts: Int32Array.from(sup.parts),
      },
    };
  }

  async function getRecords(ids: string[]): Promise<FactorRecord[]> {
    const out: FactorRecord[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      const batch = await kv.getMany<FactorRecord[]>(ids.slice(i, i + 10).map((id) => keys.factor(id)));
      for (const e of batch) if (e.value) out.push(e.value);
    }
    return out;
  }

  return {
    async create(record) {
      await withRetry("create the factor", async () => {
        const [existing, count] = await kv.getMany<[FactorRecord, Deno.KvU64]>([
          keys.factor(record.id),
          keys.factorCount(record.owner_id),
        ]);
        if (existing.value) throw new ConflictError(`Factor ${record.id} already exists`);
        const held = Number(count.value?.value ?? 0n);
        if (held >= MAX_FACTORS_PER_USER) {
          throw new ForbiddenError(
            `Factor limit reached: a user can hold at most ${MAX_FACTORS_PER_USER} factors; delete one first`,
          );
        }
        const op = kv.atomic()
          .check(existing, count)
          .set(keys.factor(record.id), record)
          .set(keys.factorByOwner(record.owner_id, record.id), record.id)
          .set(keys.factorCount(record.owner_id), new Deno.KvU64(BigInt(held + 1)));
        if (record.status === "active") op.set(keys.factorActive(record.id), record.id);
        const res = await op.commit();
        return res.ok ? { committed: true, value: undefined } : { committed: false };
      });
    },

    async get(id) {
      return (await kv.get<FactorRecord>(keys.factor(id))).value;
    },

    update(id, change) {
      return withRetry<FactorRecord | null>("update the factor", async () => {
        const entry = await kv.get<FactorRecord>(keys.factor(id));
        if (!entry.value) return { committed: true, value: null };
        const next = change(entry.value);
        checkSameFactor(entry.value, next);
        const op = kv.atomic().check(entry).set(keys.factor(id), next);
        maintainActive(op, entry.value, next);
        const res = await op.commit();
        return res.ok ? { committed: true, value: next } : { committed: false };
      });
    },

    async listByOwner(ownerId) {
      const ids: string[] = [];
      for await (const e of kv.list<string>({ prefix: keys.factorsByOwner(ownerId) }, { reverse: true })) {
        ids.push(e.value);
      }
      return await getRecords(ids);
    },

    async listActive() {
      const ids: string[] = [];
      for await (const e of kv.list<string>({ prefix: keys.factorsActive() })) ids.push(e.value);
      return await getRecords(ids);
    },

    async delete(id) {
      await withRetry("delete the factor", async () => {
        const entry = await kv.get<FactorRecord>(keys.factor(id));
        if (!entry.value) return { committed: true, value: undefined };
        const owner = entry.value.owner_id;
        const count = await kv.get<Deno.KvU64>(keys.factorCount(owner));
        const held = Number(count.value?.value ?? 0n);
        const res = await kv.atomic()
          .check(entry, count)
          .delete(keys.factor(id))
          .delete(keys.factorByOwner(owner, id))
          .delete(keys.factorActive(id))
          .set(keys.factorCount(owner), new Deno.KvU64(BigInt(Math.max(0, held - 1))))
          .commit();
        return res.ok ? { committed: true, value: undefined } : { committed: false };
      });
      // The record is gone, so nothing reads these any more; a crash here leaves keys the next delete removes.
      for (
        const prefix of [
          keys.factorUploadsOf(id),
          keys.factorDateIndexOf(id),
          keys.factorValuesOf(id),
          keys.factorSymbolsOf(id),
          keys.factorSeries(id),
        ]
      ) await deletePrefix(prefix);
    },

    async putValues(id, rows, change) {
      // 1. Validate the rows and compute their days (no KV access).
      const seenDays = new Set<number>();
      const order = rows.map((row, i) => {
        const day = dayOf(row.date);
        if (day === null) throw new BadRequestError(`Not a date in YYYY-MM-DD form: "${row.date}"`);
        if (seenDays.has(day)) throw new BadRequestError(`Date ${row.date} appears twice in one upload`);
        seenDays.add(day);
        if (row.values.length !== row.symbols.length) {
          throw new BadRequestError(
            `Date ${row.date}: ${row.symbols.length} symbols but ${row.values.length} values`,
          );
        }
        return { day, i };
      }).sort((a, b) => a.day - b.day);
      const tag0 = newTag();
      const ours: Triples = {
        days: Int32Array.from(order, (o) => o.day),
        tags: new Int32Array(order.length),
        parts: Int32Array.from(order, (o) => Math.ceil(rows[o.i].symbols.length / perPart)),
      };

      // 2. Check the limits and `change` before writing anything.
      await cleanStaleUploads(id);
      const before = await readRecordAndIndex(id);
      if (!before.record.value) throw new NotFoundError(`Factor ${id} not found`);
      // A tag no current date of ours uses (tags are random; this only rules out the 2^-32 collision).
      let tag = tag0;
      while (ours.days.some((d) => before.index.tags[findDay(before.index.days, d)] === tag)) tag = newTag();
      ours.tags.fill(tag);
      const projected = mergeIndex(before.index, ours).merged;
      if (projected.days.length > MAX_FACTOR_DATES) throw dateLimitError(projected.days.length);
      const dict = await readDictionary(id);
      // Symbols: well-formed, unique within a date, and the factor's total within the limit (one map pass:
      // each symbol remembers the last row it was seen on).
      const lastRowOf = new Map<string, number>();
      for (const sym of dict.symbols) lastRowOf.set(sym, -1);
      const fresh: string[] = [];
      rows.forEach((row, r) => {
        for (const sym of row.symbols) {
          const last = lastRowOf.get(sym);
          if (last === r) throw new BadRequestError(`Symbol ${sym} appears twice on ${row.date}`);
          if (last === undefined) {
            if (typeof sym !== "string" || sym.length === 0 || sym.length > MAX_SYMBOL_LENGTH) {
              throw new BadRequestError(
                `Date ${row.date}: a symbol must be 1–${MAX_SYMBOL_LENGTH} characters`,
              );
            }
            fresh.push(sym);
          }
          lastRowOf.set(sym, r);
        }
      });
      if (lastRowOf.size > MAX_FACTOR_SYMBOLS) throw symbolLimitError(lastRowOf.size);
      checkSameFactor(before.record.value, change(before.record.value, summaryOf(projected.days)));

      // 3. The symbols, the marker, then the value entries (invisible until the index names their tag).
      const numberOf = await appendSymbols(id, fresh);
      const markerKey = keys.factorUpload(id, tag);
      const marker: UploadMarker = { started_at: clock.now(), abandoned: false, data: packTriples(ours) };
      const markerSet = await kv.atomic().check({ key: markerKey, versionstamp: null }).set(markerKey, marker)
        .commit();
      if (!markerSet.ok) throw new ConflictError("Another upload used the same tag; try again");
      const cleanOurs = async () => {
        await deleteEntries(id, ours);
        await kv.delete(markerKey);
      };
      // Commits overlap (at most `COMMITS_IN_FLIGHT`): the next group is encoded while KV writes the last.
      // Each settles to its error (or null), so none is ever an unhandled rejection and all can be awaited.
      const inFlight: Promise<unknown>[] = [];
      try {
        const send = (op: Deno.AtomicOperation) =>
          op.commit().then(
            (res) => (res.ok ? null : new Error("Cannot write factor values")),
            (e) => e ?? "error",
          );
        const wait = async (p: Promise<unknown> | undefined) => {
          const error = await p;
          if (error) throw error;
        };
        let op = kv.atomic();
        let mutations = 0, bytes = 0;
        for (let r = 0; r < order.length; r++) {
          const parts = encodeRow(rows[order[r].i], numberOf, perPart);
          for (let p = 0; p < parts.length; p++) {
            if (mutations && (mutations >= COMMIT_MUTATIONS || bytes + parts[p].length > COMMIT_BYTES)) {
              inFlight.push(send(op));
              if (inFlight.length >= COMMITS_IN_FLIGHT) await wait(inFlight.shift());
              op = kv.atomic();
              mutations = bytes = 0;
            }
            op.set(keys.factorValue(id, ours.days[r], tag, p), parts[p]);
            mutations++;
            bytes += parts[p].length;
          }
        }
        if (mutations) inFlight.push(send(op));
        while (inFlight.length) await wait(inFlight.shift());
      } catch (e) {
        // Every commit settles before the cleanup runs (a late one would leave entries behind).
        await Promise.all(inFlight);
        await cleanOurs();
        throw e;
      }

      // 4. The last commit: index, record and marker, checked against concurrent writers and cleaners.
      let superseded: Triples;
      let stored: FactorRecord;
      try {
        [stored, superseded] = await withRetry<[FactorRecord, Triples]>(
          "store the factor's values",
          async () => {
            const { record, index } = await readRecordAndIndex(id);
            if (!record.value) throw new NotFoundError(`Factor ${id} not found`);
            const { merged, superseded } = mergeIndex(index, ours);
            if (merged.days.length > MAX_FACTOR_DATES) throw dateLimitError(merged.days.length);
            const next = change(record.value, summaryOf(merged.days));
            checkSameFactor(record.value, next);
            const op = kv.atomic()
              .check(record, index.head, { key: markerKey, versionstamp: markerSet.versionstamp })
              .set(keys.factor(id), next)
              .set(markerKey, { started_at: clock.now(), abandoned: false, data: packTriples(superseded) });
            maintainActive(op, record.value, next);
            writeIndex(op, id, merged, index.chunks);
            const res = await op.commit();
            if (res.ok) return { committed: true, value: [next, superseded] as [FactorRecord, Triples] };
            if ((await kv.get(markerKey)).versionstamp !== markerSet.versionstamp) {
              throw new ConflictError("The upload took too long and was abandoned; try again");
            }
            return { committed: false };
          },
        );
      } catch (e) {
        await cleanOurs();
        throw e;
      }
      await deleteEntries(id, superseded);
      await kv.delete(markerKey);
      return stored;
    },

    async valueDates(id) {
      const index = await readIndex(id);
      return Array.from(index.days, fromDayNumber);
    },

    async readValues(id, dates, symbols) {
      const nd = dates.length, ns = symbols.length;
      if (nd * ns > MAX_READ_CELLS) {
        throw new BadRequestError(
          `At most ${MAX_READ_CELLS} values can be read at once (${nd} × ${ns} asked)`,
        );
      }
      const out = new Float64Array(nd * ns);
      const rowOf = new Map<number, number>();
      dates.forEach((d, r) => {
        const day = dayOf(d);
        if (day !== null && !rowOf.has(day)) rowOf.set(day, r);
      });
      const colOfSymbol = new Map<string, number>();
      symbols.forEach((s, c) => {
        if (!colOfSymbol.has(s)) colOfSymbol.set(s, c);
      });
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        if (attempt) await pauseBeforeReread(attempt);
        out.fill(NaN);
        const index = await readIndex(id);
        const dict = await readDictionary(id);
        const colOf = Int32Array.from(dict.symbols, (s) => colOfSymbol.get(s) ?? -1);
        const wanted = new Map<number, { tag: number; row: number }>();
        let expected = 0, found = 0, minDay = Infinity, maxDay = -Infinity;
        for (let i = 0; i < index.days.length; i++) {
          const row = rowOf.get(index.days[i]);
          if (row === undefined || index.parts[i] === 0) continue;
          wanted.set(index.days[i], { tag: index.tags[i], row });
          expected += index.parts[i];
          minDay = Math.min(minDay, index.days[i]);
          maxDay = Math.max(maxDay, index.days[i]);
        }
        if (!expected) return out;
        const take = (key: Deno.KvKey, value: Uint8Array) => {
          const w = wanted.get(key[2] as number);
          if (!w || w.tag !== key[3]) return;
          decodeInto(value, colOf, out, w.row * ns);
          found++;
        };
        if (wanted.size <= 20) {
          const list: Deno.KvKey[] = [];
          for (let i = 0; i < index.days.length; i++) {
            const w = wanted.get(index.days[i]);
            if (!w) continue;
            for (let p = 0; p < index.parts[i]; p++) list.push(keys.factorValue(id, index.days[i], w.tag, p));
          }
          for (let i = 0; i < list.length; i += 10) {
            for (const e of await kv.getMany<Uint8Array[]>(list.slice(i, i + 10))) {
              if (e.value) take(e.key, e.value);
            }
          }
        } else {
          const it = kv.list<Uint8Array>(
            { start: keys.factorValueDay(id, minDay), end: keys.factorValueDay(id, maxDay + 1) },
            { batchSize: 500 },
          );
          for await (const e of it) take(e.key, e.value);
        }
        if (found === expected) return out;
        // A writer replaced some dates between the index and the values: read again.
      }
      throw new ConflictError("The factor's values changed while being read; try again");
    },

    async readDate(id, date) {
      const day = dayOf(date);
      if (day === null) return null;
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        if (attempt) await pauseBeforeReread(attempt);
        const index = await readIndex(id);
        const at = findDay(index.days, day);
        if (at < 0) return null;
        const dict = await readDictionary(id);
        const list = Array.from(
          { length: index.parts[at] },
          (_, p) => keys.factorValue(id, day, index.tags[at], p),
        );
        const parts: Uint8Array[] = [];
        for (let i = 0; i < list.length; i += 10) {
          for (const e of await kv.getMany<Uint8Array[]>(list.slice(i, i + 10))) {
            if (e.value) parts.push(e.value);
          }
        }
        if (parts.length !== list.length) continue;
        const n = parts.reduce((k, p) => k + p.length / VALUE_BYTES, 0);
        const symbols: string[] = [];
        const values = new Float64Array(n);
        for (const part of parts) {
          const m = part.length / VALUE_BYTES;
          const b = part.byteOffset % 8 === 0 ? part : part.slice();
          const at0 = symbols.length;
          values.set(new Float64Array(b.buffer, b.byteOffset, m), at0);
          for (const num of new Uint16Array(b.buffer, b.byteOffset + 8 * m, m)) {
            symbols.push(dict.symbols[num]);
          }
        }
        return { symbols, values };
      }
      throw new ConflictError("The factor's values changed while being read; try again");
    },

    async putSeries(id, series) {
      if (!(await kv.get(keys.factor(id))).value) throw new NotFoundError(`Factor ${id} not found`);
      const bytes = new TextEncoder().encode(JSON.stringify(series));
      for (let attempt = 1;; attempt++) {
        try {
          return await putBlob(kv, keys.factorSeries(id), bytes);
        } catch (e) {
          if (!(e instanceof ConflictError) || attempt >= 3) throw e;
        }
      }
    },

    async getSeries(id) {
      const bytes = await getBlob(kv, keys.factorSeries(id));
      return bytes ? JSON.parse(new TextDecoder().decode(bytes)) as FactorSeries : null;
    },
  };
}
