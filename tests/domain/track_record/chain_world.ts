/**
 * A few settled days of tracked strategies through the real submission and settlement code, for the day-record
 * chain tests; and the canonical day record written again here, by hand, from a public `/verify` answer (string
 * concatenation in the stated key order and SHA-256 by WebCrypto), independently of the server's code.
 */
import assert from "node:assert/strict";
import { buildMarketServices } from "../../../app/market_services.ts";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { submitSignalView } from "../../../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../../../domain/track_record/services.ts";
import { settleStrategy } from "../../../domain/track_record/settlement/settle.ts";
import { createTrackedStrategy } from "../../../domain/track_record/signals/tracked_strategies.ts";
import type { TestWorld } from "../../_helpers/test_app.ts";

const sse = getCalendar("SSE");

/** Eight SSE trading days across the synthetic market's July ex-dates (first trading day on or after July 10). */
export const CHAIN_DAYS = sse.tradingDaysBetween("2026-07-06", "2026-08-31").slice(0, 8);
export const CHAIN_OWNER = "usr_chain";
const POOL = ["600519.SH", "000001.SZ", "600036.SH", "000858.SZ"];

/** Track deps whose market is generated through the last chain day (the world's clock moves; the data need not). */
export function chainDeps(w: TestWorld): TrackRecordServices {
  const market = buildMarketServices(w.kv, fixedClock(sse.instantAt(CHAIN_DAYS.at(-1)!, "20:00")), {
    seed: w.config.marketSeed,
    cacheBytes: w.config.marketCacheBytes,
    yahoo: w.config.yahoo,
  });
  return { ...w.deps.track, market: market.data };
}

/** Creates a public strategy (`open` execution, holding period 2). */
export async function chainStrategy(
  deps: TrackRecordServices,
  slug: string,
  opts: { is_demo?: boolean } = {},
) {
  await createTrackedStrategy(deps, CHAIN_OWNER, 20, {
    name: slug,
    slug,
    universe: "hs300",
    execution_price: "open",
    holding_period: 2,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
    ...(opts.is_demo ? { is_demo: true } : {}),
  });
}

/**
 * Submits day `i`'s signal (on even days only, rotating symbols, so some days trade, some hold and holdings
 * expire) at 09:00 and settles the strategy at 18:15, for each chain day index in `indexes`.
 */
export async function settleChainDays(
  w: TestWorld,
  deps: TrackRecordServices,
  slug: string,
  indexes: readonly number[],
) {
  for (const i of indexes) {
    const date = CHAIN_DAYS[i];
    if (i % 2 === 0) {
      w.clock.set(sse.instantAt(date, "09:00"));
      const signals = [0, 1].map((k) => ({ symbol: POOL[(i + k) % POOL.length], weight: 0.45 }));
      await submitSignalView(deps, CHAIN_OWNER, slug, { trade_date: date, signals });
    }
    w.clock.set(sse.instantAt(date, "18:15"));
    const out = await settleStrategy(deps, slug, date);
    assert.notEqual(out.status, "failed", JSON.stringify(out));
  }
}

/** The parts of a `/verify` answer the canonical day record is made of. */
export interface VerifyDayLike {
  date: string;
  nav: number;
  cash: number;
  prev_nav: number;
  dividend_convention: string;
  dividends: { symbol: string; quantity: number; per_share: number; cash: number }[];
  positions: {
    symbol: string;
    quantity: number;
    price: number;
    market_value: number;
    entry_date: string;
    last_signal_date: string;
    suspended: boolean;
  }[];
  trades: {
    symbol: string;
    action: string;
    quantity: number;
    price: number;
    fill_price: number;
    notional: number;
    commission: number;
    reason: string;
  }[];
  signal: { signal_hash: string } | null;
  benchmark: { symbol: string; close: number | null; return: number | null };
  parameters: {
    commission_rate: number;
    execution_price: string;
    holding_period: number;
    initial_capital: number;
    lot_size: number;
    slippage_rate: number;
  };
  record_chain:
    | { canonical_json: string; record_hash: string; prev_record_hash: string; log: unknown }
    | null;
}

/** A number as ECMAScript writes it (RFC 8785): `String(x)`, which writes -0 as "0". */
const n = (x: number | null) => (x === null ? "null" : String(x));
const q = (s: string) => JSON.stringify(s);

/** The canonical day record of `slug` written by hand from a `/verify` answer, keys in sorted order. */
export function handDayRecord(slug: string, v: VerifyDayLike, prev: string): string {
  const p = v.parameters;
  const dividends = v.dividends.map((d) =>
    `{"cash":${n(d.cash)},"per_share":${n(d.per_share)},"quantity":${n(d.quantity)},"symbol":${q(d.symbol)}}`
  );
  const positions = v.positions.map((x) =>
    `{"entry_date":${q(x.entry_date)},"last_signal_date":${q(x.last_signal_date)},` +
    `"market_value":${n(x.market_value)},"price":${n(x.price)},"quantity":${n(x.quantity)},` +
    `"suspended":${x.suspended},"symbol":${q(x.symbol)}}`
  );
  const trades = v.trades.map((t) =>
    `{"action":${q(t.action)},"commission":${n(t.commission)},"fill_price":${n(t.fill_price)},` +
    `"notional":${n(t.notional)},"price":${n(t.price)},"quantity":${n(t.quantity)},"reason":${q(t.reason)},` +
    `"symbol":${q(t.symbol)}}`
  );
  return `{"benchmark":{"close":${n(v.benchmark.close)},"return":${n(v.benchmark.return)},` +
    `"symbol":${q(v.benchmark.symbol)}},"cash":${n(v.cash)},"date":${q(v.date)},` +
    `"dividend_convention":${q(v.dividend_convention)},"dividends":[${dividends.join(",")}],"nav":${
      n(v.nav)
    },` +
    `"parameters":{"commission_rate":${n(p.commission_rate)},"execution_price":${q(p.execution_price)},` +
    `"holding_period":${n(p.holding_period)},"initial_capital":${n(p.initial_capital)},` +
    `"lot_size":${n(p.lot_size)},"slippage_rate":${n(p.slippage_rate)}},` +
    `"positions":[${positions.join(",")}],"prev_nav":${n(v.prev_nav)},"prev_record_hash":${q(prev)},` +
    `"signal_hash":${v.signal ? q(v.signal.signal_hash) : "null"},"strategy":${q(slug)},` +
    `"trades":[${trades.join(",")}]}`;
}

/** Lowercase hex SHA-256 of a text's UTF-8 bytes, by WebCrypto. */
export async function hexSha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads a public `/verify` answer through the app (its shape checked against /openapi.json by `w.request`). */
export async function verifyAnswer(w: TestWorld, slug: string, date: string): Promise<VerifyDayLike> {
  const res = await w.request("GET", `/api/v1/public/strategies/${slug}/verify?date=${date}`);
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json();
}
