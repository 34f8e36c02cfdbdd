/**
 * Symbols users imported from CSV: one record per owner and symbol at `["imported_symbols", owner_id, symbol]`,
 * private to the owner unless an admin publishes it; a published import also has the index
 * `["imported_symbols_public", symbol] → owner_id`, written in the same atomic commit, so at most one owner's
 * import of a symbol is public at a time. Every write bumps the public `market` scope in its commit (symbols,
 * bars and freshness answers show imports).
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import type { SymbolInfo } from "../market/types.ts";
import { keys } from "./keys.ts";
import { GET_MANY_BATCH, getManyValues, withRetry } from "./kv.ts";
import { MARKET_SCOPE } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** A stored import: the symbol's metadata plus who imported it, whether it is public, and what it holds. */
export type ImportedSymbolRecord = SymbolInfo & {
  owner_id: string;
  published: boolean;
  /** Number of bars stored. */
  rows: number;
  /** First and last bar dates, `YYYY-MM-DD`. */
  start: string;
  end: string;
  /** When the current bars were imported, epoch ms. */
  imported_at: number;
};

/** Persistence of imported symbols. */
export interface ImportedSymbolRepo {
  /** The owner's import of `symbol`; `null` when there is none. */
  get(ownerId: string, symbol: string): Promise<ImportedSymbolRecord | null>;
  /** The owner's imports of `symbols`, in their order (`null` where there is none), read in batches at once. */
  getEach(ownerId: string, symbols: readonly string[]): Promise<(ImportedSymbolRecord | null)[]>;
  /** The owner's imports, by symbol. */
  list(ownerId: string): Promise<ImportedSymbolRecord[]>;
  /** Published imports (visible to everyone), by symbol. */
  listPublished(): Promise<ImportedSymbolRecord[]>;
  /** The published import of `symbol` (two reads through the public index); `null` when none is published. */
  getPublished(symbol: string): Promise<ImportedSymbolRecord | null>;
  /** Every import of every user, by owner then symbol (for admins). */
  listAll(): Promise<ImportedSymbolRecord[]>;
  /** Creates or replaces a record; `published` is kept as stored (false for a new record): see `publish`. */
  put(record: ImportedSymbolRecord): Promise<ImportedSymbolRecord>;
  /**
   * Publishes or unpublishes an import at `nowMs`; `NotFoundError` when absent, `ConflictError` when another
   * owner's import of the same symbol is already published.
   */
  publish(ownerId: string, symbol: string, published: boolean, nowMs: number): Promise<ImportedSymbolRecord>;
  /** Deletes the record (and its public index entry) at `nowMs`; `false` when there was none. */
  delete(ownerId: string, symbol: string, nowMs: number): Promise<boolean>;
}

async function collect<T>(iter: Deno.KvListIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of iter) out.push(e.value);
  return out;
}

/** Creates the KV-backed imported-symbol repository. */
export function createImportedSymbolRepo(kv: Deno.Kv): ImportedSymbolRepo {
  return {
    async get(ownerId, symbol) {
      return (await kv.get<ImportedSymbolRecord>(keys.importedSymbol(ownerId, symbol))).value;
    },
    async getEach(ownerId, symbols) {
      const batches: Promise<Deno.KvEntryMaybe<ImportedSymbolRecord>[]>[] = [];
      for (let i = 0; i < symbols.length; i += GET_MANY_BATCH) {
        const batch = symbols.slice(i, i + GET_MANY_BATCH).map((s) => keys.importedSymbol(ownerId, s));
        batches.push(kv.getMany<ImportedSymbolRecord[]>(batch));
      }
      return (await Promise.all(batches)).flat().map((e) => e.value);
    },
    list: (ownerId) =>
      collect(kv.list<ImportedSymbolRecord>({ prefix: keys.importedSymbolsByOwner(ownerId) })),
    async listPublished() {
      const index = [];
      for await (const e of kv.list<string>({ prefix: keys.publishedImports() })) {
        index.push(keys.importedSymbol(e.value, e.key[1] as string));
      }
      const records = await getManyValues<ImportedSymbolRecord>(kv, index);
      return records.filter((r): r is ImportedSymbolRecord => r !== null && r.published);
    },
    async getPublished(symbol) {
      const owner = (await kv.get<string>(keys.publishedImport(symbol))).value;
      if (owner === null) return null;
      const record = (await kv.get<ImportedSymbolRecord>(keys.importedSymbol(owner, symbol))).value;
      return record?.published ? record : null;
    },
    listAll: () => collect(kv.list<ImportedSymbolRecord>({ prefix: keys.importedSymbols() })),
    put(record) {
      const key = keys.importedSymbol(record.owner_id, record.symbol);
      return withRetry<ImportedSymbolRecord>(`store import "${record.symbol}"`, async () => {
        const existing = await kv.get<ImportedSymbolRecord>(key);
        const next = { ...record, published: existing.value?.published ?? false };
        const op = kv.atomic().check(existing).set(key, next);
        const res = await bumpPublicScopes(op, [MARKET_SCOPE], record.imported_at).commit();
        return res.ok ? { committed: true, value: next } : { committed: false };
      });
    },
    publish(ownerId, symbol, published, nowMs) {
      const key = keys.importedSymbol(ownerId, symbol);
      const indexKey = keys.publishedImport(symbol);
      return withRetry<ImportedSymbolRecord>(`publish import "${symbol}"`, async () => {
        const [entry, index] = await kv.getMany<[ImportedSymbolRecord, string]>([key, indexKey]);
        if (!entry.value) throw new NotFoundError(`Import "${symbol}" of user "${ownerId}" not found`);
        const holder = index.value;
        if (published && holder !== null && holder !== ownerId) {
          throw new ConflictError(`The import of "${symbol}" by user "${holder}" is already published`);
        }
        const next = { ...entry.value, published };
        let op = kv.atomic().check(entry, index).set(key, next);
        if (published) op = op.set(indexKey, ownerId);
        else if (holder === ownerId) op = op.delete(indexKey);
        return (await bumpPublicScopes(op, [MARKET_SCOPE], nowMs).commit()).ok
          ? { committed: true, value: next }
          : { committed: false };
      });
    },
    delete(ownerId, symbol, nowMs) {
      const key = keys.importedSymbol(ownerId, symbol);
      const indexKey = keys.publishedImport(symbol);
      return withRetry<boolean>(`delete import "${symbol}"`, async () => {
        const [entry, index] = await kv.getMany<[ImportedSymbolRecord, string]>([key, indexKey]);
        if (!entry.value) return { committed: true, value: false };
        let op = kv.atomic().check(entry, index).delete(key);
        if (index.value === ownerId) op = op.delete(indexKey);
        return (await bumpPublicScopes(op, [MARKET_SCOPE], nowMs).commit()).ok
          ? { committed: true, value: true }
          : { committed: false };
      });
    },
  };
}
