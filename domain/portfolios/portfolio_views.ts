/**
 * The portfolio API's answers (issue 15). The QuantGPT Cloud guide names the routes and the detail's contents
 * ("members + strategy info"; signals with "trade_date, stock_count, settlement status, and attestation
 * status") without showing bodies; these are the shapes Quantedge answers.
 *
 * CONTRACT FILE (issue 15 scaffolding): the portfolio work adds the builders.
 */
import type { FactorStatus } from "../store/factor_repo.ts";
import type { FactorUniverse } from "../store/factor_repo.ts";
import type { PortfolioStatus, PortfolioWeighting } from "../store/portfolio_repo.ts";

/** One member as shown. */
export interface PortfolioMemberView {
  factor_id: string;
  name: string;
  status: FactorStatus;
  ic_mean: number | null;
  ic_ir: number | null;
  /** The member's weight under the portfolio's weighting (equal: 1/N; ic_weighted: |IC IR| / Σ|IC IR|). */
  weight: number | null;
  added_at: string;
}

/** The bound tracked strategy as shown. */
export interface PortfolioStrategyView {
  slug: string;
  status: "pending" | "active" | "paused" | "retired";
  execution_price: "open";
  start_date: string | null;
}

/** A portfolio (list items and detail alike). */
export interface PortfolioView {
  id: string;
  name: string;
  universe: FactorUniverse;
  weighting: PortfolioWeighting;
  top_n: number;
  status: PortfolioStatus;
  members: PortfolioMemberView[];
  strategy_slug: string | null;
  strategy: PortfolioStrategyView | null;
  created_at: string;
  updated_at: string;
  activated_at: string | null;
  paused_at: string | null;
}

/** One generated signal as shown by `GET /portfolios/{id}/signals`. */
export interface PortfolioSignalView {
  trade_date: string;
  stock_count: number;
  signal_hash: string;
  submitted_at: string;
  is_settled: boolean;
  github_committed: boolean;
  attestation: { committed: boolean; reason?: string; sha?: string };
  signals: { symbol: string; weight: number }[];
}

/** `GET /portfolios/{id}/signals`. */
export interface PortfolioSignalsPage {
  signals: PortfolioSignalView[];
  total: number;
}
