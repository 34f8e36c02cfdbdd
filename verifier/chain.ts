/**
 * The day-record hash chain: each settled day's canonical record (RFC 8785) is rebuilt from the fields `/verify`
 * publishes, hashed (SHA-256, hex) and linked to the previous day's hash (64 zeros before the first chained day).
 * A change to any past day's published figure changes its hash and so breaks every later link.
 */
import { canonicalJson } from "./canonical_json.ts";
import type { Parameters, VerifyAnswer } from "./shapes.ts";

/** `prev_record_hash` of the first settled day. */
export const GENESIS_HASH = "0".repeat(64);

const list = <T>(x: T[] | undefined | null): T[] => (Array.isArray(x) ? x : []);

/** The canonical day record of `slug` as the published answer `b` states it, linked to `prevHash`. */
export function canonicalDayRecord(
  slug: string,
  b: VerifyAnswer,
  parameters: Parameters,
  prevHash: string,
): string {
  return canonicalJson({
    benchmark: {
      close: b.benchmark?.close ?? null,
      return: b.benchmark?.return ?? null,
      symbol: b.benchmark?.symbol,
    },
    cash: b.cash,
    date: b.date,
    dividend_convention: b.dividend_convention,
    dividends: list(b.dividends).map((d) => ({
      cash: d.cash,
      per_share: d.per_share,
      quantity: d.quantity,
      symbol: d.symbol,
    })),
    nav: b.nav,
    parameters: {
      commission_rate: parameters.commission_rate,
      execution_price: parameters.execution_price,
      holding_period: parameters.holding_period,
      initial_capital: parameters.initial_capital,
      lot_size: parameters.lot_size,
      slippage_rate: parameters.slippage_rate,
    },
    positions: list(b.positions).map((p) => ({
      entry_date: p.entry_date,
      last_signal_date: p.last_signal_date,
      market_value: p.market_value,
      price: p.price,
      quantity: p.quantity,
      suspended: p.suspended,
      symbol: p.symbol,
    })),
    prev_nav: b.prev_nav,
    prev_record_hash: prevHash,
    signal_hash: b.signal?.signal_hash ?? null,
    strategy: slug,
    trades: list(b.trades).map((t) => ({
      action: t.action,
      commission: t.commission,
      fill_price: t.fill_price,
      notional: t.notional,
      price: t.price,
      quantity: t.quantity,
      reason: t.reason,
      symbol: t.symbol,
    })),
  });
}
