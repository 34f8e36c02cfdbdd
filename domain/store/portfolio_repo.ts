/**
 * Persistence of multi-factor portfolios (issue 15): one record per portfolio, an owner index, an index of
 * active portfolios for the 09:00 job, and one run record per portfolio and trade date (what the job did).
 *
 * CONTRACT FILE (issue 15 scaffolding): the portfolio work builds `createPortfolioRepo`.
 */
import type { FactorUniverse } from "./factor_repo.ts";

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
  delete(id: string): Promise<void>;
  getRun(id: string, tradeDate: string): Promise<PortfolioRunRecord | null>;
  putRun(run: PortfolioRunRecord): Promise<void>;
}

/** Builds the KV implementation. */
export function createPortfolioRepo(_kv: Deno.Kv): PortfolioRepo {
  throw new Error("createPortfolioRepo: not built yet (issue 15 portfolios)");
}
