/**
 * Compares one settled day as published on `/verify` with the day replayed from public data: dividends, every
 * trade field, positions, cash, NAV, previous NAV, daily return, the benchmark's close and return, suspensions,
 * the NAV check and the symbols hash. The figures appear twice in the answer (flat and under `verification`);
 * both are compared.
 */
import { byCodeUnits } from "./canonical_json.ts";
import type { Ledger } from "./checks.ts";
import { sha256Hex } from "./crypto.ts";
import type { ReplayDay } from "./replay.ts";
import type { DayFigures, PublishedTrade, VerifyAnswer } from "./shapes.ts";

/** What the replay says the day must publish. */
export interface ExpectedDay {
  replayed: ReplayDay;
  prevNav: number;
  benchmark: { symbol: string; close: number | null; return: number | null };
  dividendConvention: string;
}

const list = <T>(x: T[] | undefined | null): T[] => (Array.isArray(x) ? x : []);

function compareTrades(
  l: Ledger,
  sink: string[],
  date: string,
  published: PublishedTrade[],
  replayed: ReplayDay["trades"],
): void {
  l.same(sink, "trade.count", `${date} trades`, published.length, replayed.length, {
    integer: true,
    replayed: true,
  });
  for (let i = 0; i < Math.min(published.length, replayed.length); i++) {
    const p = published[i], r = replayed[i];
    const where = `${date} ${r.action} ${r.symbol}`;
    if (
      !l.same(
        sink,
        "trade.symbol",
        `${date} trade ${i + 1}`,
        `${p?.action} ${p?.symbol}`,
        `${r.action} ${r.symbol}`,
      )
    ) continue;
    l.same(sink, "trade.quantity", where, p.quantity, r.quantity, { integer: true, replayed: true });
    l.same(sink, "trade.price", where, p.price, r.price, { replayed: true });
    l.same(sink, "trade.fill_price", where, p.fill_price, r.fill_price, { replayed: true });
    l.same(sink, "trade.notional", where, p.notional, r.notional, { replayed: true });
    l.same(sink, "trade.commission", where, p.commission, r.commission, { replayed: true });
    l.same(sink, "trade.reason", where, p.reason, r.reason);
  }
}

function compareFigures(
  l: Ledger,
  sink: string[],
  date: string,
  view: DayFigures,
  e: ExpectedDay,
  label: string,
) {
  const r = e.replayed;
  const at = `${date}${label}`;
  l.same(sink, "nav", at, view.nav, r.nav, { replayed: true });
  l.same(sink, "cash", at, view.cash, r.state.cash, { replayed: true });
  l.same(sink, "prev_nav", at, view.prev_nav, e.prevNav, { replayed: true });
  l.same(sink, "daily_return", at, view.daily_return, r.nav / e.prevNav - 1, { replayed: true });
  const positions = list(view.positions);
  l.same(
    sink,
    "position.symbols",
    at,
    positions.map((p) => p?.symbol).join(","),
    r.positions.map((p) => p.symbol).join(","),
  );
  const bySymbol = new Map(positions.map((p) => [p?.symbol, p]));
  for (const rp of r.positions) {
    const p = bySymbol.get(rp.symbol);
    if (!p) continue;
    const where = `${date}${label} ${rp.symbol}`;
    l.same(sink, "position.quantity", where, p.quantity, rp.quantity, { integer: true, replayed: true });
    l.same(sink, "position.price", where, p.price, rp.price, { replayed: true });
    l.same(sink, "position.market_value", where, p.market_value, rp.market_value, { replayed: true });
    l.same(sink, "position.weight", where, p.weight, r.nav > 0 ? rp.market_value / r.nav : 0, {
      replayed: true,
    });
    l.same(sink, "position.entry_date", where, p.entry_date, rp.entry_date);
    l.same(sink, "position.last_signal_date", where, p.last_signal_date, rp.last_signal_date);
    l.same(sink, "position.suspended", where, p.suspended, rp.suspended);
  }
  const c = view.nav_check;
  const value = r.positions.reduce((s, p) => s + p.market_value, 0);
  l.same(sink, "nav_check", `${at} positions_value`, c?.positions_value, value, { replayed: true });
  l.same(sink, "nav_check", `${at} cash`, c?.cash, r.state.cash, { replayed: true });
  l.same(sink, "nav_check", `${at} nav`, c?.nav, r.nav, { replayed: true });
  l.check(
    sink,
    "nav_check",
    typeof c?.difference === "number" && Math.abs(c.difference) <= 1e-9 * Math.max(1, Math.abs(r.nav)),
    () => `${at} difference ${c?.difference} is not 0`,
  );
}

/** Compares a day's `/verify` answer with its replay (see the module comment). */
export async function compareDay(l: Ledger, sink: string[], b: VerifyAnswer, e: ExpectedDay): Promise<void> {
  const date = b.date;
  compareFigures(l, sink, date, b, e, "");
  if (b.verification && typeof b.verification === "object") {
    compareFigures(l, sink, date, b.verification, e, " (verification)");
  } else l.check(sink, "verification", false, () => `${date}: no verification block`);
  compareTrades(l, sink, date, list(b.trades), e.replayed.trades);
  compareTrades(l, sink, `${date} (verification)`, list(b.verification?.trades), e.replayed.trades);
  l.same(sink, "action", date, b.action, b.signal ? "REBALANCE" : "HOLD");
  l.same(sink, "dividend.convention", date, b.dividend_convention, e.dividendConvention);
  const dividends = list(b.dividends);
  l.same(sink, "dividend.count", date, dividends.length, e.replayed.dividends.length, {
    integer: true,
    replayed: true,
  });
  for (let i = 0; i < Math.min(dividends.length, e.replayed.dividends.length); i++) {
    const p = dividends[i], r = e.replayed.dividends[i];
    const where = `${date} ${r.symbol}`;
    if (!l.same(sink, "dividend.symbol", `${date} dividend ${i + 1}`, p?.symbol, r.symbol)) continue;
    l.same(sink, "dividend.quantity", where, p.quantity, r.quantity, { integer: true, replayed: true });
    l.same(sink, "dividend.per_share", where, p.per_share, r.per_share, { replayed: true });
    l.same(sink, "dividend.cash", where, p.cash, r.cash, { replayed: true });
  }
  l.same(sink, "benchmark.symbol", date, b.benchmark?.symbol, e.benchmark.symbol);
  l.same(sink, "benchmark.close", date, b.benchmark?.close, e.benchmark.close, {
    replayed: true,
    word: "from bars",
  });
  l.same(sink, "benchmark.return", date, b.benchmark?.return, e.benchmark.return, {
    replayed: true,
    word: "from bars",
  });
  const symbols = e.replayed.positions.map((p) => p.symbol).sort(byCodeUnits);
  const hash = (await sha256Hex(symbols.join(","))).slice(0, 16);
  l.same(sink, "symbols_hash", date, b.symbols_hash, hash, { word: "recomputed" });
  l.same(sink, "symbols_hash", `${date} (verification)`, b.verification?.symbols_hash, hash, {
    word: "recomputed",
  });
  l.same(
    sink,
    "symbols_hash",
    `${date} (verification) symbols`,
    list(b.verification?.symbols).join(","),
    symbols.join(","),
  );
}
