/**
 * Persistence of multi-factor portfolios (issue 15): one record per portfolio, an owner index, an index of
 * active portfolios for the 09:00 job, and one run record per portfolio and trade date (what the job did).
 */
import { ConflictError, ForbiddenError } from "../errors.ts";
import type { FactorUniverse } from "./factor_repo.ts";
import { keys } from "./keys.ts";
import { getManyValues, withRetry } from "./kv.ts";

/** Lifecycle of a portfolio: draft → active ⇄ paused. */
export type PortfolioStatus = "draft" | "active" | "paused";
/** How member factors are weighted. */
export type PortfolioWeighting = "equal" | "ic_weighted";

/** One member factor. */
export interface PortfolioMember {
  factor_id: string;
  added_at: number;
}

/** A portfolio as stored. */
export interface PortfolioRecord {
  id: string;
  owner_id: string;
  name: string;
  universe: FactorUniverse;
  weighting: PortfolioWeighting;
  top_n: number;
  status: PortfolioStatus;
  members: PortfolioMember[];
  /** The tracked strategy (`mf-…`) created on first activation. */
  strategy_slug: string | null;
  created_at: number;
  updated_at: number;
  activated_at: number | null;
  paused_at: number | null;
}

/** What the signal job did for one portfolio on one trade date. */
export interface PortfolioRunRecord {
  portfolio_id: string;
  trade_date: string;
  status: "submitted" | "failed" | "missed" | "skipped";
  attempts: number;
  /** The factor date whose values were used. */
  values_date: string | null;
  stock_count: number | null;
  signal_hash: string | null;
  error: string | null;
  updated_at: number;
  /** Beyond the scaffolding: the factor date each member's values came from (in member order). */
  member_dates?: { factor_id: string; values_date: string }[];
  /** Beyond the scaffolding: conventions that applied (a fallback date, a constant member, cash left over). */
  notes?: string[];
}

/** Most portfolios one user can hold. */
export const MAX_PORTFOLIOS_PER_USER = 20;
/** Most member factors of one portfolio. */
export const MAX_PORTFOLIO_MEMBERS = 20;

/** Access to portfolios. */
export interface PortfolioRepo {
  /** `ForbiddenError` at `MAX_PORTFOLIOS_PER_USER`. */
  create(record: PortfolioRecord): Promise<void>;
  get(id: string): Promise<PortfolioRecord | null>;
  /** Read-modify-write checked against concurrent changes (retried); `change` may throw to refuse. */
  update(id: string, change: (current: PortfolioRecord) => PortfolioRecord): Promise<PortfolioRecord | null>;
  listByOwner(ownerId: string): Promise<PortfolioRecord[]>;
  listActive(): Promise<PortfolioRecord[]>;
  /**
   * Deletes the record (and its runs) and answers the deleted record (`null` when there was none). `guard` runs
   * on the current record inside the retried commit and may throw to refuse (e.g. an active portfolio).
   */
  delete(id: string, guard?: (current: PortfolioRecord) => void): Promise<PortfolioRecord | null>;
  getRun(id: string, tradeDate: string): Promise<PortfolioRunRecord | null>;
  putRun(run: PortfolioRunRecord): Promise<void>;
  /** Beyond the scaffolding: the run of the latest trade date, `null` when none. */
  latestRun(id: string): Promise<PortfolioRunRecord | null>;
}

/** Builds the KV implementation. */
export function createPortfolioRepo(kv: Deno.Kv): PortfolioRepo {
  const activeIndex = (
    op: Deno.AtomicOperation,
    before: PortfolioRecord | null,
    after: PortfolioRecord | null,
  ) => {
    const was = before?.status === "active";
    const is = after?.status === "active";
    if (is && !was) op.set(keys.activePortfolio(after!.id), after!.id);
    if (was && !is) op.delete(keys.activePortfolio(before!.id));
  };
  return {
    async create(record) {
      await withRetry("create portfolio", async () => {
        const [existing, count] = await kv.getMany<[PortfolioRecord, Deno.KvU64]>([
          keys.portfolio(record.id),
          keys.portfolioCount(record.owner_id),
        ]);
        if (existing.value) throw new ConflictError(`Portfolio "${record.id}" already exists`);
        const n = Number(count.value?.value ?? 0n);
        if (n >= MAX_PORTFOLIOS_PER_USER) {
          throw new ForbiddenError(
            `Portfolio limit reached: at most ${MAX_PORTFOLIOS_PER_USER} portfolios per user`,
          );
        }
        const op = kv.atomic()
          .check(existing, count)
          .set(keys.portfolio(record.id), record)
          .set(keys.portfolioByOwner(record.owner_id, record.id), record.id)
          .set(keys.portfolioCount(record.owner_id), new Deno.KvU64(BigInt(n + 1)));
        activeIndex(op, null, record);
        const res = await op.commit();
        return res.ok ? { committed: true, value: undefined } : { committed: false };
      });
    },
    async get(id) {
      return (await kv.get<PortfolioRecord>(keys.portfolio(id))).value;
    },
    async update(id, change) {
      return await withRetry<PortfolioRecord | null>("update portfolio", async () => {
        const entry = await kv.get<PortfolioRecord>(keys.portfolio(id));
        if (!entry.value) return { committed: true, value: null as PortfolioRecord | null };
        const next = change(entry.value);
        const op = kv.atomic().check(entry).set(keys.portfolio(id), next);
        activeIndex(op, entry.value, next);
        const res = await op.commit();
        return res.ok ? { committed: true, value: next } : { committed: false };
      });
    },
    async listByOwner(ownerId) {
      const ids: string[] = [];
      for await (const e of kv.list<string>({ prefix: keys.portfoliosByOwner(ownerId) }, { reverse: true })) {
        ids.push(e.value);
      }
      const records = await getManyValues<PortfolioRecord>(kv, ids.map(keys.portfolio));
      return records.filter((r): r is PortfolioRecord => r !== null);
    },
    async listActive() {
      const ids: string[] = [];
      for await (const e of kv.list<string>({ prefix: keys.activePortfolios() })) ids.push(e.value);
      const records = await getManyValues<PortfolioRecord>(kv, ids.map(keys.portfolio));
      return records.filter((r): r is PortfolioRecord => r !== null && r.status === "active");
    },
    async delete(id, guard) {
      const deleted = await withRetry<PortfolioRecord | null>("delete portfolio", async () => {
        const entry = await kv.get<PortfolioRecord>(keys.portfolio(id));
        if (!entry.value) return { committed: true, value: null as PortfolioRecord | null };
        guard?.(entry.value);
        const count = await kv.get<Deno.KvU64>(keys.portfolioCount(entry.value.owner_id));
        const n = Number(count.value?.value ?? 0n);
        const op = kv.atomic()
          .check(entry, count)
          .delete(keys.portfolio(id))
          .delete(keys.portfolioByOwner(entry.value.owner_id, id))
          .set(keys.portfolioCount(entry.value.owner_id), new Deno.KvU64(BigInt(Math.max(0, n - 1))));
        activeIndex(op, entry.value, null);
        const res = await op.commit();
        return res.ok ? { committed: true, value: entry.value } : { committed: false };
      });
      if (!deleted) return null;
      // Run records go after the record (one per trade date; a crash here leaves only unreachable runs).
      let batch: Deno.KvKey[] = [];
      for await (const e of kv.list({ prefix: keys.portfolioRuns(id) })) {
        batch.push(e.key);
        if (batch.length === 500) {
          const op = kv.atomic();
          for (const k of batch) op.delete(k);
          await op.commit();
          batch = [];
        }
      }
      if (batch.length > 0) {
        const op = kv.atomic();
        for (const k of batch) op.delete(k);
        await op.commit();
      }
      return deleted;
    },
    async getRun(id, tradeDate) {
      return (await kv.get<PortfolioRunRecord>(keys.portfolioRun(id, tradeDate))).value;
    },
    async putRun(run) {
      await kv.set(keys.portfolioRun(run.portfolio_id, run.trade_date), run);
    },
    async latestRun(id) {
      for await (
        const e of kv.list<PortfolioRunRecord>({ prefix: keys.portfolioRuns(id) }, {
          reverse: true,
          limit: 1,
        })
      ) {
        return e.value;
      }
      return null;
    },
  };
}
