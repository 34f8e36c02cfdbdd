/**
 * The portfolio API's answers (issue 15). The QuantGPT Cloud guide names the routes and the detail's contents
 * ("members + strategy info"; signals with "trade_date, stock_count, settlement status, and attestation
 * status") without showing bodies; these are the shapes Quantedge answers.
 */
import { iso, isoOrNull } from "../iso_time.ts";
import type { FactorRecord, FactorStatus } from "../store/factor_repo.ts";
import type { FactorUniverse } from "../store/factor_repo.ts";
import type {
  PortfolioRecord,
  PortfolioRunRecord,
  PortfolioStatus,
  PortfolioWeighting,
} from "../store/portfolio_repo.ts";
import { memberWeights } from "./combine_signal.ts";
import type { PortfolioServices } from "./services.ts";

/** One member as shown. */
export interface PortfolioMemberView {
  factor_id: string;
  /** `""` when the factor no longer exists. */
  name: string;
  /** The factor's status; `deleted` (beyond the scaffolding) when it no longer exists. */
  status: FactorStatus | "deleted";
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
  execution_price: "open" | "close";
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
  /** When the portfolio last became active (first activation or resume). */
  activated_at: string | null;
  paused_at: string | null;
  /** Beyond: what the signal job did on the latest trade date it ran for. */
  last_run: PortfolioRunView | null;
}

/** A run record as shown (what the signal job or an activation did for one trade date). */
export interface PortfolioRunView {
  trade_date: string;
  status: PortfolioRunRecord["status"];
  attempts: number;
  /** The factor date whose values were used (the oldest one when members used different dates). */
  values_date: string | null;
  member_dates: { factor_id: string; values_date: string }[];
  stock_count: number | null;
  signal_hash: string | null;
  error: string | null;
  notes: string[];
  updated_at: string;
}

/** One generated signal as shown by `GET /portfolios/{id}/signals`. */
export interface PortfolioSignalView {
  trade_date: string;
  stock_count: number;
  signal_hash: string;
  submitted_at: string;
  is_settled: boolean;
  github_committed: boolean;
  attestation: { committed: boolean; reason?: string; sha?: string; url?: string };
  signals: { symbol: string; weight: number }[];
}

/** `GET /portfolios/{id}/signals`. */
export interface PortfolioSignalsPage {
  signals: PortfolioSignalView[];
  total: number;
  /** Beyond: the page asked for. */
  limit: number;
  offset: number;
  /** Beyond: how every signal of the page was generated (`PORTFOLIO_SIGNAL_CONVENTIONS`). */
  conventions: Record<string, string>;
}

/** The view of a run record. */
function toPortfolioRunView(r: PortfolioRunRecord): PortfolioRunView {
  return {
    trade_date: r.trade_date,
    status: r.status,
    attempts: r.attempts,
    values_date: r.values_date,
    member_dates: r.member_dates ?? [],
    stock_count: r.stock_count,
    signal_hash: r.signal_hash,
    error: r.error,
    notes: r.notes ?? [],
    updated_at: iso(r.updated_at),
  };
}

/**
 * The API view of `p`: each member with its factor's name, status, in-sample IC mean and IR and its weight
 * under the portfolio's weighting (computed over every member, as the signal would), the bound strategy, and
 * the latest run. Reads one record per member, the strategy and the latest run.
 */
export async function toPortfolioView(deps: PortfolioServices, p: PortfolioRecord): Promise<PortfolioView> {
  const factors: (FactorRecord | null)[] = [];
  for (const m of p.members) factors.push(await deps.factors.factors.get(m.factor_id));
  const { weights } = memberWeights(factors.map((f) => f?.is?.ic_ir ?? null), p.weighting);
  const strategy = p.strategy_slug ? await deps.track.strategies.get(p.strategy_slug) : null;
  const run = await deps.portfolios.latestRun(p.id);
  return {
    id: p.id,
    name: p.name,
    universe: p.universe,
    weighting: p.weighting,
    top_n: p.top_n,
    status: p.status,
    members: p.members.map((m, i) => {
      const f = factors[i];
      return {
        factor_id: m.factor_id,
        name: f?.name ?? "",
        status: f?.status ?? "deleted",
        ic_mean: f?.is?.ic_mean ?? null,
        ic_ir: f?.is?.ic_ir ?? null,
        weight: weights[i] ?? null,
        added_at: iso(m.added_at),
      };
    }),
    strategy_slug: p.strategy_slug,
    strategy: strategy
      ? {
        slug: strategy.slug,
        status: strategy.status,
        execution_price: strategy.execution_price,
        start_date: strategy.start_date,
      }
      : null,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
    activated_at: isoOrNull(p.activated_at),
    paused_at: isoOrNull(p.paused_at),
    last_run: run ? toPortfolioRunView(run) : null,
  };
}
