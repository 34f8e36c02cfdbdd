/**
 * The day-record hash chain. Every settled day of a strategy has a canonical **day record**: a JSON object of
 * what the day published, the strategy's replay parameters and the previous day's record hash. Its SHA-256 is the
 * day's `record_hash`; the next day's record carries it as `prev_record_hash`, so changing any figure of a past
 * day changes its hash and breaks every later link. Each `record_hash` is also a leaf of the strategy's
 * transparency log (`record_log.ts`). Third parties rebuild the record from the public `/verify` answer, so
 * every rule is stated here and in the README ("Verified track records").
 *
 * The canonical day record of strategy `slug` on `date` is exactly this object, written as RFC 8785 canonical
 * JSON (`canonical_json.ts`: keys sorted, no whitespace, numbers in ECMAScript's shortest round-trip form):
 * ```
 * { "benchmark": {"close": number|null, "return": number|null, "symbol": string},
 *   "cash": number, "date": "YYYY-MM-DD",
 *   "dividend_convention": "cash_on_ex_date_no_tax" | "none",
 *   "dividends": [{"cash","per_share","quantity","symbol"}],       // as stored (symbol order); [] when none
 *   "nav": number,
 *   "parameters": {"commission_rate","execution_price","holding_period","initial_capital","lot_size",
 *                  "slippage_rate"},
 *   "positions": [{"entry_date","last_signal_date","market_value","price","quantity","suspended","symbol"}],
 *   "prev_nav": number,
 *   "prev_record_hash": "<64 lowercase hex>",
 *   "signal_hash": "<64 lowercase hex>" | null,
 *   "strategy": "<slug>",
 *   "trades": [{"action","commission","fill_price","notional","price","quantity","reason","symbol"}] }
 * ```
 * - Every number is the published (stored) IEEE-754 double, unrounded: `nav`, `cash`, `prev_nav`, each
 *   position's `price` and `market_value`, each trade's `price`, `fill_price`, `notional` and `commission`.
 * - `positions` in the stored (published) order, `trades` in execution order (sells first, then buys, as
 *   published), `dividends` in the stored order; each element has exactly the listed keys.
 * - `benchmark` is the benchmark symbol, its close and its simple return that day (`null` when unknown).
 * - `signal_hash` is the hash of the signal the day was settled with, `null` on a day without one.
 * - `dividend_convention` is the day's (`none` on days settled before dividends were credited, with
 *   `dividends: []`).
 * - `parameters` are the strategy's fixed settlement parameters (they never change after creation): the
 *   execution price (`open`|`close`), holding period (trading days), commission and slippage rates (fractions),
 *   initial capital and the board lot (100).
 * - `prev_record_hash` is the previous settled day's `record_hash`; on the strategy's first settled day it is
 *   `GENESIS_RECORD_HASH` (64 zeros).
 * - `record_hash` = lowercase hex SHA-256 of the UTF-8 bytes of the canonical JSON text.
 *
 * Days settled before the chain existed ("legacy" days) store no hashes and publish `record_chain: null`, but
 * their record hashes are defined by the same rule (computed, never stored or logged): the chain starts at
 * genesis on the strategy's first settled day whatever its age, and the first day settled with a stored hash
 * links to the computed hash of the last legacy day (`chainHashThrough`). So the chain covers every day from the
 * first, and a reader follows it by rebuilding each legacy day's record from its published fields.
 */
import { sha256Hex } from "../../tokens_and_hashes.ts";
import {
  dividendConventionOf,
  type RecordedTrade,
  type SettledDayRecord,
  type SettlementRepo,
} from "../../store/settlement_repo.ts";
import { canonicalJson } from "./canonical_json.ts";

/** `prev_record_hash` of a strategy's first settled day: 64 zeros. */
export const GENESIS_RECORD_HASH = "0".repeat(64);

/** The strategy's settlement parameters as a day record carries them. */
export interface DayRecordParameters {
  commission_rate: number;
  execution_price: "open" | "close";
  holding_period: number;
  initial_capital: number;
  lot_size: number;
  slippage_rate: number;
}

/** A day's canonical JSON and its hash. */
export interface ChainedDayRecord {
  canonical_json: string;
  record_hash: string;
}

/** The canonical day record (the object of the module comment) of a stored day, its trades and parameters. */
function dayRecordObject(
  day: SettledDayRecord,
  trades: readonly RecordedTrade[],
  parameters: DayRecordParameters,
  prevRecordHash: string,
) {
  return {
    benchmark: { close: day.benchmark_close, return: day.benchmark_return, symbol: day.benchmark_symbol },
    cash: day.cash,
    date: day.date,
    dividend_convention: dividendConventionOf(day),
    dividends: (day.dividends ?? []).map((d) => ({
      cash: d.cash,
      per_share: d.per_share,
      quantity: d.quantity,
      symbol: d.symbol,
    })),
    nav: day.nav,
    parameters: {
      commission_rate: parameters.commission_rate,
      execution_price: parameters.execution_price,
      holding_period: parameters.holding_period,
      initial_capital: parameters.initial_capital,
      lot_size: parameters.lot_size,
      slippage_rate: parameters.slippage_rate,
    },
    positions: day.positions.map((p) => ({
      entry_date: p.entry_date,
      last_signal_date: p.last_signal_date,
      market_value: p.market_value,
      price: p.price,
      quantity: p.quantity,
      suspended: p.suspended,
      symbol: p.symbol,
    })),
    prev_nav: day.prev_nav,
    prev_record_hash: prevRecordHash,
    signal_hash: day.signal_hash,
    strategy: day.strategy_slug,
    trades: trades.map((t) => ({
      action: t.action,
      commission: t.commission,
      fill_price: t.fill_price,
      notional: t.notional,
      price: t.price,
      quantity: t.quantity,
      reason: t.reason,
      symbol: t.symbol,
    })),
  };
}

/**
 * The canonical JSON of a day's record linked to `prevRecordHash`, and its `record_hash` (rules in the module
 * comment). Throws `TypeError` when a figure is not finite (settlement never stores one).
 */
export async function chainDayRecord(
  day: SettledDayRecord,
  trades: readonly RecordedTrade[],
  parameters: DayRecordParameters,
  prevRecordHash: string,
): Promise<ChainedDayRecord> {
  const canonical_json = canonicalJson(dayRecordObject(day, trades, parameters, prevRecordHash));
  return { canonical_json, record_hash: await sha256Hex(canonical_json) };
}

/** Legacy days whose trades are read at once while walking the chain. */
const TRADE_READS_AT_ONCE = 50;

/**
 * The record hash of the strategy's settled day `through` (the chain head after it): a stored `record_hash` is
 * taken as it is; a legacy day's (none stored) is computed from its predecessor's, starting from genesis on the
 * first settled day. Reads every day through `through` (and a legacy day's trades), in batches.
 */
export async function chainHashThrough(
  settlements: Pick<SettlementRepo, "days" | "getTrades">,
  slug: string,
  parameters: DayRecordParameters,
  through: string,
): Promise<string> {
  const days = await settlements.days(slug, undefined, through);
  let hash = GENESIS_RECORD_HASH;
  for (let i = 0; i < days.length; i += TRADE_READS_AT_ONCE) {
    const batch = days.slice(i, i + TRADE_READS_AT_ONCE);
    const trades = await Promise.all(
      batch.map((d) => d.record_hash ? null : settlements.getTrades(slug, d.date)),
    );
    for (const [k, d] of batch.entries()) {
      hash = d.record_hash ?? (await chainDayRecord(d, trades[k]!, parameters, hash)).record_hash;
    }
  }
  return hash;
}
