/**
 * Persistence of tracked strategies: one record per slug, an owner index and a per-owner count of live ones.
 * Every write bumps the public scopes of the strategy and of the public list in its own commit (the list shows
 * name, status, visibility; the strategy's pages show its fields).
 */
import { ConflictError, ForbiddenError } from "../errors.ts";
import { LIST_SCOPE, strategyScope } from "./public_scopes.ts";
import { keys } from "./keys.ts";
import { withRetry } from "./kv.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** Lifecycle of a tracked strategy. */
export type TrackedStatus = "pending" | "active" | "paused" | "retired";

/** Universes a tracked strategy can name as its benchmark. */
/** The universes a tracked strategy can name (its benchmark). */
export const TRACKED_UNIVERSES = ["hs300", "csi500", "csi1000", "csi2000", "etf_all"] as const;
export type TrackedUniverse = typeof TRACKED_UNIVERSES[number];

/** A tracked strategy as stored. */
export interface TrackedStrategyRecord {
  id: string;
  slug: string;
  owner_id: string;
  name: string;
  description: string | null;
  universe: TrackedUniverse;
  execution_price: "open" | "close";
  holding_period: number;
  initial_capital: number;
  commission_rate: number;
  slippage_rate: number;
  status: TrackedStatus;
  is_public: boolean;
  /** Demo strategies are replays made by `deno task demo`, shown as such everywhere. */
  is_demo: boolean;
  created_at: number;
  updated_at: number;
  /** When the first signal was accepted (epoch ms), and that signal's trade date (the first settled day). */
  activated_at: number | null;
  start_date: string | null;
  retired_at: number | null;
  /**
   * The multi-factor portfolio (its id) whose strategy this is: its signals and status are the platform's, and
   * the owner's signal submission, withdrawal and status changes are refused. Absent on older records (null).
   */
  managed_by?: string | null;
}

/** Access to tracked strategies. */
export interface TrackedStrategyRepo {
  get(slug: string): Promise<TrackedStrategyRecord | null>;
  /** The record with its versionstamp, for commits that must not overwrite a concurrent change. */
  getEntry(slug: string): Promise<Deno.KvEntryMaybe<TrackedStrategyRecord>>;
  /**
   * Stores a new strategy if its slug is free (`ConflictError` otherwise) and the owner has fewer than
   * `maxLive` non-retired strategies (`ForbiddenError` otherwise), in one atomic commit.
   */
  create(record: TrackedStrategyRecord, maxLive: number): Promise<void>;
  /**
   * Applies `change` to the current record and stores it if nothing changed in between (retried on races);
   * `change` may throw to refuse. Retiring decrements the owner's live count in the same commit.
   */
  update(
    slug: string,
    change: (current: TrackedStrategyRecord) => TrackedStrategyRecord,
  ): Promise<TrackedStrategyRecord | null>;
  listByOwner(ownerId: string): Promise<TrackedStrategyRecord[]>;
  /** Every tracked strategy, in slug order. */
  listAll(): Promise<TrackedStrategyRecord[]>;
  /** The owner's non-retired count. */
  liveCount(ownerId: string): Promise<number>;
}

/** The public scopes a write of strategy `slug` changes: its own pages and the public list. */
const publicScopesOf = (slug: string) => [strategyScope(slug), LIST_SCOPE];

/** Creates the KV-backed repository. */
export function createTrackedStrategyRepo(kv: Deno.Kv): TrackedStrategyRepo {
  return {
    async get(slug) {
      return (await kv.get<TrackedStrategyRecord>(keys.trackedStrategy(slug))).value;
    },
    getEntry(slug) {
      return kv.get<TrackedStrategyRecord>(keys.trackedStrategy(slug));
    },
    async create(record, maxLive) {
      await withRetry("create strategy", async () => {
        const [existing, count] = await kv.getMany<[TrackedStrategyRecord, Deno.KvU64]>([
          keys.trackedStrategy(record.slug),
          keys.liveStrategyCount(record.owner_id),
        ]);
        if (existing.value) throw new ConflictError(`Slug "${record.slug}" is already taken`);
        const live = Number(count.value?.value ?? 0n);
        if (live >= maxLive) {
          throw new ForbiddenError(
            `Strategy limit reached: your tier allows ${maxLive} tracked strategies that are not retired`,
          );
        }
        const op = kv.atomic()
          .check(existing, count)
          .set(keys.trackedStrategy(record.slug), record)
          .set(keys.trackedStrategyByOwner(record.owner_id, record.slug), record.slug)
          .set(keys.liveStrategyCount(record.owner_id), new Deno.KvU64(BigInt(live + 1)));
        const res = await bumpPublicScopes(op, publicScopesOf(record.slug), record.created_at).commit();
        return res.ok ? { committed: true, value: undefined } : { committed: false };
      });
    },
    async update(slug, change) {
      return await withRetry<TrackedStrategyRecord | null>("update strategy", async () => {
        const entry = await kv.get<TrackedStrategyRecord>(keys.trackedStrategy(slug));
        if (!entry.value) return { committed: true, value: null as TrackedStrategyRecord | null };
        const next = change(entry.value);
        const op = kv.atomic().check(entry).set(keys.trackedStrategy(slug), next);
        bumpPublicScopes(op, publicScopesOf(slug), next.updated_at);
        if (entry.value.status !== "retired" && next.status === "retired") {
          const count = await kv.get<Deno.KvU64>(keys.liveStrategyCount(next.owner_id));
          const live = Number(count.value?.value ?? 0n);
          op.check(count).set(
            keys.liveStrategyCount(next.owner_id),
            new Deno.KvU64(BigInt(Math.max(0, live - 1))),
          );
        }
        const res = await op.commit();
        return res.ok ? { committed: true, value: next } : { committed: false };
      });
    },
    async listByOwner(ownerId) {
      const slugs: string[] = [];
      for await (const e of kv.list<string>({ prefix: keys.trackedStrategiesByOwner(ownerId) })) {
        slugs.push(e.value);
      }
      const out: TrackedStrategyRecord[] = [];
      for (let i = 0; i < slugs.length; i += 10) {
        const batch = await kv.getMany<TrackedStrategyRecord[]>(
          slugs.slice(i, i + 10).map(keys.trackedStrategy),
        );
        for (const e of batch) if (e.value) out.push(e.value);
      }
      return out;
    },
    async listAll() {
      const out: TrackedStrategyRecord[] = [];
      for await (const e of kv.list<TrackedStrategyRecord>({ prefix: keys.trackedStrategies() })) {
        out.push(e.value);
      }
      return out;
    },
    async liveCount(ownerId) {
      return Number((await kv.get<Deno.KvU64>(keys.liveStrategyCount(ownerId))).value?.value ?? 0n);
    },
  };
}
