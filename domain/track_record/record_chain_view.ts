/**
 * The public blocks of issue 18's published record: a strategy's `parameters` (everything a replay of its
 * settlement needs) on `/track-record` and `/verify`, and a settled day's `record_chain` on `/verify` (its
 * canonical day record, hash, link to the previous day and where the hash sits in the strategy's log).
 */
import type { RecordedTrade, SettledDayRecord } from "../store/settlement_repo.ts";
import type { TrackedStrategyRecord, TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { type ServedInclusionProof, servedInclusionProof } from "./log_views.ts";
import { logOf, type TrackRecordServices } from "./services.ts";
import { chainDayRecord } from "./settlement/record_chain.ts";
import { A_SHARE_LOT, dayRecordParameters, DIVIDEND_CONVENTION } from "./settlement/settle.ts";
import { TRACKED_BENCHMARKS } from "./signals/tracked_strategies.ts";

/** A strategy's published settlement parameters (fixed once it exists, except `start_date` before its first day). */
export interface PublishedParameters {
  universe: TrackedUniverse;
  /** The benchmark index symbol (from the universe). */
  benchmark: string;
  execution_price: "open" | "close";
  /** Trading days a position is held without a fresh signal naming it. */
  holding_period: number;
  commission_rate: number;
  slippage_rate: number;
  lot_size: typeof A_SHARE_LOT;
  initial_capital: number;
  /** The first settled day (`null` before the first accepted signal). */
  start_date: string | null;
  /** The exchange calendar whose trading days are settled. */
  calendar: "SSE";
  /** The dividend convention of days settled now (each day states its own in `/verify`). */
  dividend_convention: typeof DIVIDEND_CONVENTION;
  /** The origin of the transparency log this strategy's signals and day records go to. */
  log_origin: string;
}

/** The `parameters` block of a strategy. */
export function publishedParameters(
  deps: TrackRecordServices,
  s: TrackedStrategyRecord,
): PublishedParameters {
  return {
    universe: s.universe,
    benchmark: TRACKED_BENCHMARKS[s.universe],
    execution_price: s.execution_price,
    holding_period: s.holding_period,
    commission_rate: s.commission_rate,
    slippage_rate: s.slippage_rate,
    lot_size: A_SHARE_LOT,
    initial_capital: s.initial_capital,
    start_date: s.start_date,
    calendar: "SSE",
    dividend_convention: DIVIDEND_CONVENTION,
    log_origin: logOf(deps, s).origin,
  };
}

/** A settled day's link of the record chain as `/verify` answers it. */
export interface RecordChainBlock {
  /** The canonical day record (RFC 8785) whose SHA-256 is `record_hash`. */
  canonical_json: string;
  record_hash: string;
  /** The previous settled day's record hash (64 zeros on the first day). */
  prev_record_hash: string;
  /** Where `record_hash` is in the strategy's log, proved against its current head; `null` until logged. */
  log: null | { origin: string; leaf_index: number; inclusion_proof: ServedInclusionProof };
}

/**
 * The `record_chain` block of a settled day; `null` for a day settled before the chain existed (no stored hash).
 * The canonical JSON is rebuilt from the stored day, its trades and the strategy's fixed parameters, the same
 * inputs settlement hashed.
 */
export async function recordChainBlock(
  deps: TrackRecordServices,
  s: TrackedStrategyRecord,
  day: SettledDayRecord,
  trades: readonly RecordedTrade[],
): Promise<RecordChainBlock | null> {
  if (day.record_hash === undefined || day.prev_record_hash === undefined) return null;
  const { canonical_json } = await chainDayRecord(day, trades, dayRecordParameters(s), day.prev_record_hash);
  const log = logOf(deps, s);
  const proof = await servedInclusionProof(deps, log, day.record_hash);
  return {
    canonical_json,
    record_hash: day.record_hash,
    prev_record_hash: day.prev_record_hash,
    log: proof ? { origin: log.origin, leaf_index: proof.leaf_index, inclusion_proof: proof } : null,
  };
}
