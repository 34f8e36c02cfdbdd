/** Symbols users imported from CSV: private to the importer unless an admin publishes them. */
import type { SymbolInfo } from "../market/types.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

/** A stored import. */
export type ImportedSymbolRecord = SymbolInfo & {
  owner_id: string;
  published: boolean;
  rows: number;
  start: string;
  end: string;
  imported_at: number;
};

/** Persistence of imported symbols. */
export interface ImportedSymbolRepo {
  get(ownerId: string, symbol: string): Promise<ImportedSymbolRecord | null>;
  list(ownerId: string): Promise<ImportedSymbolRecord[]>;
  /** Published imports (visible to everyone). */
  listPublished(): Promise<ImportedSymbolRecord[]>;
  put(record: ImportedSymbolRecord): Promise<void>;
  /** Publishes or unpublishes; `NotFoundError` when absent. */
  publish(ownerId: string, symbol: string, published: boolean): Promise<ImportedSymbolRecord>;
  delete(ownerId: string, symbol: string): Promise<boolean>;
}

const recordKey = (owner: string, symbol: string) => ["imported_symbols", owner, symbol] as const;
const publicKey = (symbol: string) => ["imported_symbols_public", symbol] as const;

/** Creates the KV-backed imported-symbol repository. */
export function createImportedSymbolRepo(kv: Deno.Kv): ImportedSymbolRepo {
  return {
    async get(ownerId, symbol) {
      return (await kv.get<ImportedSymbolRecord>(recordKey(ownerId, symbol))).value;
    },
    async list(ownerId) {
      const out: ImportedSymbolRecord[] = [];
      for await (const e of kv.list<ImportedSymbolRecord>({ prefix: ["imported_symbols", ownerId] })) {
        out.push(e.value);
      }
      return out;
    },
    async listPublished() {
      const out: ImportedSymbolRecord[] = [];
      for await (const e of kv.list<string>({ prefix: ["imported_symbols_public"] })) {
        const r = (await kv.get<ImportedSymbolRecord>(recordKey(e.value, e.key[1] as string))).value;
        if (r?.published) out.push(r);
      }
      return out;
    },
    async put(record) {
      const existing = await kv.get<ImportedSymbolRecord>(recordKey(record.owner_id, record.symbol));
      const published = existing.value?.published ?? false;
      await kv.set(recordKey(record.owner_id, record.symbol), { ...record, published });
    },
    async publish(ownerId, symbol, published) {
      const entry = await kv.get<ImportedSymbolRecord>(recordKey(ownerId, symbol));
      if (!entry.value) throw new NotFoundError(`Import "${symbol}" of user "${ownerId}" not found`);
      const next = { ...entry.value, published };
      let op = kv.atomic().check(entry).set(recordKey(ownerId, symbol), next);
      if (published) {
        op = op.check({ key: publicKey(symbol), versionstamp: null }).set(publicKey(symbol), ownerId);
      } else op = op.delete(publicKey(symbol));
      const res = await op.commit();
      if (!res.ok) {
        const holder = (await kv.get<string>(publicKey(symbol))).value;
        if (holder && holder !== ownerId) {
          throw new ConflictError(`Another import of "${symbol}" is already published`);
        }
        if (holder === ownerId && published) return next;
        throw new NotFoundError(`Import "${symbol}" changed concurrently, try again`);
      }
      return next;
    },
    async delete(ownerId, symbol) {
      const entry = await kv.get<ImportedSymbolRecord>(recordKey(ownerId, symbol));
      if (!entry.value) return false;
      let op = kv.atomic().check(entry).delete(recordKey(ownerId, symbol));
      if (entry.value.published) op = op.delete(publicKey(symbol));
      return (await op.commit()).ok;
    },
  };
}
