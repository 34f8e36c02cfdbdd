/**
 * One portfolio's signal for one trade date: load each member's cross-section (delay 1, with a fallback of at
 * most 5 trading days), combine (`combineFactorSignal`), and submit through the track record's own submission
 * (`submitSignalView`: deadline, hash, transparency log, GitHub, then settlement and verification like any
 * signal) as the portfolio's owner on its bound strategy. Each attempt is recorded in the portfolio's run record
 * for the date; a date already submitted is not submitted again.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { ConflictError, DomainError } from "../errors.ts";
import type { PortfolioRecord, PortfolioRunRecord } from "../store/portfolio_repo.ts";
import { submitSignalView } from "../track_record/operations.ts";
import { combineFactorSignal, type MemberCrossSection } from "./combine_signal.ts";
import type { PortfolioServices } from "./services.ts";

const sse = getCalendar("SSE");

/** How many trading days before the trade date a member's values may be dated (the fallback window). */
const MAX_VALUES_AGE_TRADING_DAYS = 5;

/** A-share stock symbols a signal accepts. */
const STOCK_SYMBOL = /^\d{6}\.(SH|SZ)$/;

/** A generated signal, or why there is none. */
type Generated =
  | {
    ok: true;
    signals: { symbol: string; weight: number }[];
    values_date: string;
    member_dates: { factor_id: string; values_date: string }[];
    notes: string[];
  }
  | { ok: false; error: string; member_dates: { factor_id: string; values_date: string }[]; notes: string[] };

/** A member's cross-section with finite values only, or `null` when the date has none. */
async function crossSection(
  deps: PortfolioServices,
  factorId: string,
  date: string,
): Promise<{ symbols: string[]; values: number[] } | null> {
  const row = await deps.factors.factors.readDate(factorId, date);
  if (!row) return null;
  const symbols: string[] = [];
  const values: number[] = [];
  for (let i = 0; i < row.symbols.length; i++) {
    if (Number.isFinite(row.values[i])) {
      symbols.push(row.symbols[i]);
      values.push(row.values[i]);
    }
  }
  return symbols.length > 0 ? { symbols, values } : null;
}

/** The tradable stocks of the portfolio's universe (the symbols a signal may name). */
async function eligibleStocks(deps: PortfolioServices, p: PortfolioRecord): Promise<Set<string>> {
  const infos = await deps.factors.market.listSymbols({ universe: p.universe });
  return new Set(infos.filter((s) => s.kind === "stock" && STOCK_SYMBOL.test(s.symbol)).map((s) => s.symbol));
}

/**
 * Generates `p`'s signal for `tradeDate` (see `PORTFOLIO_SIGNAL_CONVENTIONS`): each member must still be an
 * active factor of the owner; its values are those of the trading day before `tradeDate`, else its latest within
 * the `MAX_VALUES_AGE_TRADING_DAYS` trading days before it (noted), else there is no signal. An empty
 * intersection is no signal either (never a silent all-cash day).
 */
async function generatePortfolioSignal(
  deps: PortfolioServices,
  p: PortfolioRecord,
  tradeDate: string,
): Promise<Generated> {
  const factorDate = sse.previousTradingDay(tradeDate);
  const earliest = sse.tradingDayOffset(tradeDate, -MAX_VALUES_AGE_TRADING_DAYS);
  const notes: string[] = [];
  const memberDates: { factor_id: string; values_date: string }[] = [];
  const fail = (error: string): Generated => ({ ok: false, error, member_dates: memberDates, notes });
  if (p.members.length < 2) return fail(`the portfolio has ${p.members.length} members (at least 2 needed)`);
  const members: MemberCrossSection[] = [];
  for (const m of p.members) {
    const f = await deps.factors.factors.get(m.factor_id);
    if (!f || f.owner_id !== p.owner_id) return fail(`member factor ${m.factor_id} no longer exists`);
    if (f.status !== "active") return fail(`member factor "${f.name}" (${f.id}) is ${f.status}, not active`);
    let used = factorDate;
    let cs = await crossSection(deps, f.id, factorDate);
    if (!cs) {
      const dates = await deps.factors.factors.valueDates(f.id);
      for (let i = dates.length - 1; i >= 0 && !cs; i--) {
        const d = dates[i];
        if (d >= factorDate) continue;
        if (d < earliest) break;
        cs = await crossSection(deps, f.id, d);
        used = d;
      }
      if (!cs) {
        const latest = dates.filter((d) => d < tradeDate).at(-1) ?? null;
        return fail(
          `member factor "${f.name}" (${f.id}) has no values dated ${earliest} … ${factorDate} ` +
            `(the ${MAX_VALUES_AGE_TRADING_DAYS} trading days before ${tradeDate}; latest: ${
              latest ?? "none"
            })`,
        );
      }
      notes.push(`member ${f.id}: no values for ${factorDate}, used those of ${used}`);
    }
    memberDates.push({ factor_id: f.id, values_date: used });
    members.push({ factor_id: f.id, symbols: cs.symbols, values: cs.values, ic_ir: f.is?.ic_ir ?? null });
  }
  const result = combineFactorSignal({
    members,
    weighting: p.weighting,
    top_n: p.top_n,
    eligible: await eligibleStocks(deps, p),
  });
  notes.push(...result.notes);
  if (result.signals.length === 0) {
    return fail(`no tradable ${p.universe} stock has values in every member (the intersection is empty)`);
  }
  const valuesDate = memberDates.map((d) => d.values_date).sort()[0];
  return { ok: true, signals: result.signals, values_date: valuesDate, member_dates: memberDates, notes };
}

/** What happened to one portfolio on one date. */
export type PortfolioRunOutcome = "submitted" | "already_submitted" | "failed";

/**
 * Generates and submits `p`'s signal for `tradeDate` unless its run record says it is submitted already, and
 * records the attempt. A 409 "identical" from the track record (the same signal is recorded, e.g. by a
 * concurrent run) counts as submitted; any other refusal (deadline passed, strategy paused or retired, a
 * symbol refused) fails the run with the refusal's words. Signals bypass the owner's submission rate (the
 * platform sends them, once per day per portfolio).
 */
export async function submitPortfolioSignal(
  deps: PortfolioServices,
  p: PortfolioRecord,
  tradeDate: string,
): Promise<{ outcome: PortfolioRunOutcome; run: PortfolioRunRecord }> {
  const prior = await deps.portfolios.getRun(p.id, tradeDate);
  if (prior?.status === "submitted") return { outcome: "already_submitted", run: prior };
  const base: PortfolioRunRecord = {
    portfolio_id: p.id,
    trade_date: tradeDate,
    status: "failed",
    attempts: (prior?.attempts ?? 0) + 1,
    values_date: null,
    stock_count: null,
    signal_hash: null,
    error: null,
    updated_at: deps.track.clock.now(),
    member_dates: [],
    notes: [],
  };
  const record = async (run: PortfolioRunRecord, outcome: PortfolioRunOutcome) => {
    await deps.portfolios.putRun(run);
    if (outcome === "failed") {
      deps.track.log("warn", "portfolio signal failed", {
        portfolio: p.id,
        date: tradeDate,
        error: run.error,
      });
    }
    return { outcome, run };
  };
  if (!p.strategy_slug) {
    return await record({ ...base, error: "the portfolio has no strategy yet" }, "failed");
  }
  const gen = await generatePortfolioSignal(deps, p, tradeDate);
  const described = { ...base, member_dates: gen.member_dates, notes: gen.notes };
  if (!gen.ok) return await record({ ...described, error: gen.error }, "failed");
  const run = { ...described, values_date: gen.values_date, stock_count: gen.signals.length };
  try {
    const view = await submitSignalView(
      { ...deps.track, signalRate: undefined },
      p.owner_id,
      p.strategy_slug,
      { trade_date: tradeDate, signals: gen.signals },
      { managedBy: p.id },
    );
    return await record({ ...run, status: "submitted", signal_hash: view.signal_hash }, "submitted");
  } catch (e) {
    if (e instanceof ConflictError && e.extra?.reason === "identical") {
      const hash = String(e.extra.existing_signal_hash);
      return await record(
        {
          ...run,
          status: "submitted",
          signal_hash: hash,
          notes: [...run.notes, "already recorded (identical)"],
        },
        "submitted",
      );
    }
    if (!(e instanceof DomainError)) {
      deps.track.log("error", "portfolio signal submission crashed", { portfolio: p.id, error: String(e) });
    }
    return await record({ ...run, error: e instanceof Error ? e.message : String(e) }, "failed");
  }
}
