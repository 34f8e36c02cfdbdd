/**
 * The public answers the verifier reads, as the platform documents them (only the fields it uses). Nothing here
 * is trusted: every field is checked before it is relied on, and a missing one is a failure, not a crash.
 */
import type { PublishedCheckpoint } from "./notes.ts";

/** `parameters` of `/track-record` and `/verify`: everything a replay needs. */
export interface Parameters {
  universe: string;
  benchmark: string;
  execution_price: "open" | "close";
  holding_period: number;
  commission_rate: number;
  slippage_rate: number;
  lot_size: number;
  initial_capital: number;
  start_date: string;
  calendar: string;
  dividend_convention: string;
  log_origin: string;
}

/** An inclusion proof as published (`signal_hash` names the leaf's 32 bytes, a signal or a day record hash). */
export interface PublishedInclusionProof {
  signal_hash?: string;
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  audit_path: string[];
  root_hash: string;
  checkpoint: PublishedCheckpoint;
}

/** A consistency proof as published. */
export interface PublishedConsistencyProof {
  first: number;
  second: number;
  first_root: string;
  second_root: string;
  proof: string[];
}

/** `GET /public/strategies/{slug}/track-record`. */
export interface TrackRecordAnswer {
  strategy: string;
  is_demo: boolean;
  initial_capital: number;
  benchmark: string;
  parameters?: Parameters;
  records: {
    date: string;
    nav: number;
    nav_value: number;
    daily_return: number;
    cumulative_return: number;
    benchmark_return: number | null;
    record_hash?: string | null;
  }[];
}

/** A position of a settled day. */
export interface PublishedPosition {
  symbol: string;
  quantity: number;
  price: number;
  market_value: number;
  weight: number;
  entry_date: string;
  last_signal_date: string;
  suspended: boolean;
}

/** A trade of a settled day. */
export interface PublishedTrade {
  id?: string;
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  price: number;
  fill_price: number;
  notional: number;
  commission: number;
  reason: string;
}

/** A dividend credit of a settled day. */
export interface PublishedDividend {
  symbol: string;
  quantity: number;
  per_share: number;
  cash: number;
}

/** The figures `/verify` publishes both flat and in `verification`. */
export interface DayFigures {
  date: string;
  action: string;
  nav: number;
  cash: number;
  prev_nav: number;
  daily_return: number;
  positions: PublishedPosition[];
  nav_check: { positions_value: number; cash: number; nav: number; difference: number };
}

/** `GET /public/strategies/{slug}/verify?date=`. */
export interface VerifyAnswer extends DayFigures {
  strategy: string;
  verification: DayFigures & {
    strategy: string;
    symbols: string[];
    symbols_hash: string;
    trades: PublishedTrade[];
    signal_attestation: null | {
      signal_hash: string;
      canonical_json: string;
      symbols: string[];
      symbols_hash: string;
      submitted_at: string;
      deadline_at: string;
    };
  };
  trades: PublishedTrade[];
  dividend_convention: string;
  dividends: PublishedDividend[];
  symbols_hash: string;
  benchmark: { symbol: string; close: number | null; return: number | null };
  data_provenance: {
    execution_price: string;
    commission_rate: number;
    slippage_rate: number;
    lot_size: number;
    holding_period?: number;
  };
  parameters?: Parameters;
  log_checkpoint: PublishedCheckpoint;
  signal: null | {
    signal_hash: string;
    canonical_json: string;
    signals: { symbol: string; weight: number }[];
    submitted_at: string;
    deadline_at: string;
    log: null | {
      origin?: string;
      leaf_index: number;
      tree_size: number;
      inclusion_proof: PublishedInclusionProof | null;
      consistency_proof: PublishedConsistencyProof | null;
      witnessed_inclusion_proof?: PublishedInclusionProof | null;
    };
  };
  record_chain?: null | {
    canonical_json: string;
    record_hash: string;
    prev_record_hash: string;
    log: null | { origin: string; leaf_index: number; inclusion_proof: PublishedInclusionProof | null };
  };
}

/** `GET /public/strategies/{slug}/performance`. */
export interface PerformanceAnswer {
  metrics: Record<string, number | null>;
  rolling_excess_sharpe: { date: string; value: number | null }[];
  conventions: Record<string, unknown>;
  [flat: string]: unknown;
}

/** `GET /data/bars/{symbol}`. */
export interface BarsAnswer {
  symbol: string;
  bars: { date: string; open: number; close: number; adj_factor: number }[];
}

/** `GET /public/log/checkpoints`. */
export interface CheckpointsAnswer {
  origin: string;
  public_key: string;
  key_id: string;
  checkpoints: PublishedCheckpoint[];
  next_from_size: number | null;
}
