/** The strategy library: strategies, their immutable versions, and a per-user index. */
import { ConflictError, NotFoundError } from "../errors.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { type Page, pageIndex, pageRecords, type PageRequest } from "./kv.ts";

/** A saved strategy. Versions are numbered from 1; stages name versions. */
export interface LibraryStrategyRecord {
  id: string;
  user_id: string;
  name: string;
  prompt: string | null;
  deleted: boolean;
  latest_version: number;
  staging_version: number | null;
  production_version: number | null;
  /** Earlier production versions, most recent last (for rollback). */
  production_history: number[];
  /**
   * Published by its owner: only then is a promoted strategy listed in the public catalog. Missing on records
   * written before it existed, which counts as private.
   */
  is_public?: boolean;
  created_at: number;
  updated_at: number;
}

/** One immutable version. */
export interface LibraryVersionRecord {
  strategy_id: string;
  version: number;
  spec: StrategySpec;
  generated_code: string;
  created_at: number;
}

const strategyKey = (id: string) => ["library_strategies", id] as const;
const byUserKey = (userId: string, id: string) => ["library_strategies_by_user", userId, id] as const;
const versionKey = (id: string, v: number) => ["library_versions", id, v] as const;

/** Persistence of the library. */
export interface LibraryRepo {
  /** Creates a strategy with its version 1 in one commit. */
  create(strategy: LibraryStrategyRecord, first: LibraryVersionRecord): Promise<void>;
  get(id: string): Promise<LibraryStrategyRecord | null>;
  /** Adds the next version (numbered after `latest_version`) in one commit with the strategy update. */
  addVersion(
    id: string,
    make: (version: number) => LibraryVersionRecord,
    nowMs: number,
  ): Promise<LibraryVersionRecord>;
  getVersion(id: string, version: number): Promise<LibraryVersionRecord | null>;
  listVersions(id: string, page: PageRequest): Promise<Page<LibraryVersionRecord>>;
  listByUser(userId: string, page: PageRequest): Promise<Page<LibraryStrategyRecord>>;
  /** All strategies (for the catalog), filtered. */
  listAll(
    page: PageRequest,
    filter: (s: LibraryStrategyRecord) => boolean,
  ): Promise<Page<LibraryStrategyRecord>>;
  /** Applies `change` atomically (re-reading on a race). */
  update(
    id: string,
    change: (s: LibraryStrategyRecord) => LibraryStrategyRecord,
  ): Promise<LibraryStrategyRecord>;
}

/** Creates the KV-backed library repository. */
export function createLibraryRepo(kv: Deno.Kv): LibraryRepo {
  const repo: LibraryRepo = {
    async create(strategy, first) {
      const res = await kv.atomic()
        .check({ key: strategyKey(strategy.id), versionstamp: null })
        .set(strategyKey(strategy.id), strategy)
        .set(byUserKey(strategy.user_id, strategy.id), strategy.id)
        .set(versionKey(strategy.id, first.version), first)
        .commit();
      if (!res.ok) throw new ConflictError(`Strategy "${strategy.id}" already exists`);
    },
    async get(id) {
      return (await kv.get<LibraryStrategyRecord>(strategyKey(id))).value;
    },
    async addVersion(id, make, nowMs) {
      for (let i = 0; i < 20; i++) {
        const entry = await kv.get<LibraryStrategyRecord>(strategyKey(id));
        if (!entry.value) throw new NotFoundError(`Strategy "${id}" not found`);
        const version = make(entry.value.latest_version + 1);
        const res = await kv.atomic().check(entry)
          .check({ key: versionKey(id, version.version), versionstamp: null })
          .set(strategyKey(id), { ...entry.value, latest_version: version.version, updated_at: nowMs })
          .set(versionKey(id, version.version), version)
          .commit();
        if (res.ok) return version;
      }
      throw new ConflictError(`Strategy "${id}" is changing too often, try again`);
    },
    async getVersion(id, version) {
      return (await kv.get<LibraryVersionRecord>(versionKey(id, version))).value;
    },
    listVersions: (id, page) => pageRecords<LibraryVersionRecord>(kv, ["library_versions", id], page),
    listByUser: (userId, page) =>
      pageIndex<LibraryStrategyRecord>(kv, ["library_strategies_by_user", userId], strategyKey, page, {
        filter: (s) => !s.deleted,
      }),
    listAll: (page, filter) =>
      pageRecords<LibraryStrategyRecord>(kv, ["library_strategies"], page, { filter }),
    async update(id, change) {
      for (let i = 0; i < 20; i++) {
        const entry = await kv.get<LibraryStrategyRecord>(strategyKey(id));
        if (!entry.value) throw new NotFoundError(`Strategy "${id}" not found`);
        const next = change(structuredClone(entry.value));
        if ((await kv.atomic().check(entry).set(strategyKey(id), next).commit()).ok) return next;
      }
      throw new ConflictError(`Strategy "${id}" is changing too often, try again`);
    },
  };
  return repo;
}
