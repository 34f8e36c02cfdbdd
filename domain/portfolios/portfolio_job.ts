/**
 * The portfolios' daily signal job (the QuantGPT document's 09:00 `portfolio_signal_generation()`): on SSE trading
 * days, every active portfolio's signal for today (Asia/Shanghai) is generated and submitted before the 09:15
 * open-execution deadline. The cron runs it at 09:00 and again at 09:05 and 09:12, each run doing only what is not
 * submitted yet; at 09:16 `checkPortfolioSignals` marks each active portfolio still without a signal `missed`,
 * notifies its owner and logs an error.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { notifyUser } from "../support/notifications.ts";
import { signalDeadline } from "../track_record/signals/signals.ts";
import { submitPortfolioSignal } from "./portfolio_signal.ts";
import type { PortfolioServices } from "./services.ts";

const sse = getCalendar("SSE");

/** What one run of the job did. */
export interface PortfolioJobSummary {
  date: string;
  /** Why nothing ran (not a trading day, past the deadline), or `null`. */
  skipped: string | null;
  submitted: string[];
  already_submitted: string[];
  failed: { portfolio_id: string; error: string }[];
}

/**
 * Generates and submits today's signal (CST date of `now`) of every active portfolio that has none yet. Nothing
 * on a day the SSE does not trade, nor at or after the 09:15 deadline (a late signal would be refused). Paused
 * and draft portfolios are not visited. One portfolio's failure never stops the others.
 */
export async function runPortfolioSignals(
  deps: PortfolioServices,
  now: number,
): Promise<PortfolioJobSummary> {
  const date = sse.today(now);
  const out: PortfolioJobSummary = { date, skipped: null, submitted: [], already_submitted: [], failed: [] };
  if (!sse.isTradingDay(date)) return { ...out, skipped: "not an SSE trading day" };
  if (now >= signalDeadline(date, "open")) return { ...out, skipped: "past the 09:15 deadline" };
  for (const p of await deps.portfolios.listActive()) {
    try {
      const { outcome, run } = await submitPortfolioSignal(deps, p, date);
      if (outcome === "submitted") out.submitted.push(p.id);
      else if (outcome === "already_submitted") out.already_submitted.push(p.id);
      else out.failed.push({ portfolio_id: p.id, error: run.error ?? "unknown" });
    } catch (e) {
      out.failed.push({ portfolio_id: p.id, error: String(e) });
      deps.track.log("error", "portfolio signal run failed", { portfolio: p.id, date, error: String(e) });
    }
  }
  return out;
}

/** What the 09:16 check found. */
export interface PortfolioCheckSummary {
  date: string;
  skipped: string | null;
  ok: string[];
  missed: string[];
}

/**
 * After the deadline: every portfolio active since before today's 09:15 deadline whose strategy has no signal
 * for today is marked `missed` (once per day), its owner notified (`portfolio_signal_missed`) and an error
 * logged. A signal recorded without a submitted run record (a run interrupted after submitting) is recorded as
 * submitted only when it is the platform's: its hash is the one the run recorded, or the strategy is managed by
 * the portfolio (`managed_by`, so no one else could submit it); any other signal leaves the day `missed`.
 * Settlement treats the day as a hold day, as for any strategy that misses a day.
 */
export async function checkPortfolioSignals(
  deps: PortfolioServices,
  now: number,
): Promise<PortfolioCheckSummary> {
  const date = sse.today(now);
  const out: PortfolioCheckSummary = { date, skipped: null, ok: [], missed: [] };
  if (!sse.isTradingDay(date)) return { ...out, skipped: "not an SSE trading day" };
  const deadline = signalDeadline(date, "open");
  if (now < deadline) return { ...out, skipped: "before the 09:15 deadline" };
  for (const p of await deps.portfolios.listActive()) {
    if (p.activated_at === null || p.activated_at >= deadline || !p.strategy_slug) continue;
    const run = await deps.portfolios.getRun(p.id, date);
    if (run?.status === "submitted") {
      out.ok.push(p.id);
      continue;
    }
    const signal = await deps.track.signals.get(p.strategy_slug, date);
    const at = deps.track.clock.now();
    // Adopted only when it is the platform's: the hash this portfolio's run recorded, or a strategy managed by
    // this portfolio (nobody else can submit to it: a run interrupted between submitting and recording).
    const platformMade = signal !== null &&
      ((run?.signal_hash != null && signal.signal_hash === run.signal_hash) ||
        (await deps.track.strategies.get(p.strategy_slug))?.managed_by === p.id);
    if (signal && platformMade) {
      await deps.portfolios.putRun({
        portfolio_id: p.id,
        trade_date: date,
        status: "submitted",
        attempts: run?.attempts ?? 0,
        values_date: run?.values_date ?? null,
        stock_count: signal.signals.length,
        signal_hash: signal.signal_hash,
        error: null,
        updated_at: at,
        member_dates: run?.member_dates ?? [],
        notes: [...(run?.notes ?? []), "the strategy's signal for the day was found by the 09:16 check"],
      });
      out.ok.push(p.id);
      continue;
    }
    out.missed.push(p.id);
    if (run?.status === "missed") continue;
    const reason = signal
      ? `the strategy's signal for the day (${signal.signal_hash}) was not generated by this portfolio`
      : run?.error ?? "no signal was generated before the 09:15 deadline";
    await deps.portfolios.putRun({
      portfolio_id: p.id,
      trade_date: date,
      status: "missed",
      attempts: run?.attempts ?? 0,
      values_date: run?.values_date ?? null,
      stock_count: null,
      signal_hash: null,
      error: reason,
      updated_at: at,
      member_dates: run?.member_dates ?? [],
      notes: run?.notes ?? [],
    });
    deps.track.log("error", "portfolio signal missed", {
      portfolio: p.id,
      slug: p.strategy_slug,
      date,
      reason,
    });
    await notifyUser(deps.track.notifications, p.owner_id, {
      kind: "portfolio_signal_missed",
      title: `Portfolio "${p.name}" missed its signal for ${date}`,
      body:
        `No signal for ${date} reached strategy "${p.strategy_slug}" before the 09:15 deadline: ${reason}. ` +
        "The day is settled as a hold day; the next trading day's run will try again.",
      link: deps.track.links.publicRecord(p.strategy_slug),
    });
  }
  return out;
}
