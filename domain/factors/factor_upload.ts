/**
 * `POST /factors/{id}/values`: upserts an uploaded factor's values ("Upload Factor Values").
 *
 * - The factor must be the caller's (404), computed from uploads (a formula factor's values come from its
 *   formula: 409) and `draft`, `ready`, `rejected` or `active` (400 otherwise: `validating`).
 * - An `active` factor's in-sample values are frozen: it takes only dates after its activation date (Asia/Shanghai),
 *   the out-of-sample values the 18:40 tracking reads (the issue: "values uploaded after activation feed
 *   os_ic_mean_…"; the document's constraints table lists draft/ready/rejected only, but its out-of-sample
 *   section needs these uploads, and so do portfolios, whose daily signal reads the members' latest values).
 *   An earlier date is a 422 at its `date`; the factor stays `active`. An out-of-sample date T is taken, and may
 *   be replaced, only until 15:00 Asia/Shanghai of the trading day after T (the close where the delay-1 return
 *   it predicts starts), so out-of-sample values can never be written with hindsight.
 * - A date after today in Asia/Shanghai is refused (422 at its `date`); a date that is not an SSE trading day is
 *   not stored and is listed in `skipped_dates`.
 * - Symbols that are not members of the factor's universe (as the platform's market lists it) are not stored and
 *   are counted in `ignored_symbols` (distinct symbols, up to 10 examples); a date left with no symbol is not
 *   stored. `uploaded` counts the dates stored.
 * - The same date overwrites that date's values. At 120 stored trading days a draft becomes `ready`; an upload to a
 *   `rejected` factor clears its checks, reject reason, in-sample metrics, yearly stats and series and makes it
 *   `draft` or `ready` again.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { dateInZone } from "../calendar/dates.ts";
import { BadRequestError, ConflictError, ValidationError, type ValidationIssueItem } from "../errors.ts";
import type { FactorRecord, FactorStatus, FactorValuesRow } from "../store/factor_repo.ts";
import { ownFactor } from "./factor_crud.ts";
import { readFactorUpload } from "./factor_upload_body.ts";
import { FACTOR_MIN_DAYS } from "./factor_view_builders.ts";
import type { FactorUploadView } from "./factor_views.ts";
import { statusForValues } from "./formula_factor.ts";
import type { FactorServices } from "./services.ts";

const UPLOADABLE: readonly FactorStatus[] = ["draft", "ready", "rejected", "active"];
const MAX_EXAMPLES = 10;
const CST = "Asia/Shanghai";
/** Wall time (Asia/Shanghai) of the trading day after a factor date until which its out-of-sample value is taken. */
const OS_UPLOAD_CUTOFF = "15:00";

function refuseUnlessUploadable(r: FactorRecord): void {
  if (r.values_source === "formula") {
    throw new ConflictError(
      "This is a formula factor: its values are computed from the formula, not uploaded",
    );
  }
  if (!UPLOADABLE.includes(r.status)) {
    throw new BadRequestError(
      `Factor status is ${r.status}; values can be uploaded to draft, ready, rejected or active factors`,
    );
  }
}

/** The last date an active factor's values are frozen through (its activation date in Asia/Shanghai), else null. */
function frozenThrough(r: FactorRecord): string | null {
  return r.status === "active" && r.activated_at !== null ? dateInZone(r.activated_at, CST) : null;
}

/**
 * The instant an out-of-sample value of factor date `date` stops being accepted (or replaced): 15:00 Asia/Shanghai
 * of the next SSE trading day, the close of T+1 where the delay-1 return it predicts (T+1 → T+2) starts. Later, a
 * value would be written with that return already moving, so the out-of-sample IC could be chosen after the fact.
 */
function outOfSampleDeadline(date: string): number {
  const sse = getCalendar("SSE");
  return sse.instantAt(sse.nextTradingDay(date), OS_UPLOAD_CUTOFF);
}

/** 422 for the dates an active factor does not take (in-sample dates; out-of-sample dates past their deadline). */
function refuseFrozenDates(r: FactorRecord, dates: readonly string[], nowMs: number): void {
  const frozen = frozenThrough(r);
  if (frozen === null) return;
  const issues: ValidationIssueItem[] = [];
  dates.forEach((date, i) => {
    if (date <= frozen) {
      issues.push({
        type: "value_error",
        loc: ["data", i, "date"],
        msg: `Date ${date}: the factor is active since ${frozen} and its in-sample values are frozen; only ` +
          `dates after ${frozen} (out-of-sample) can be uploaded`,
      });
    } else if (getCalendar("SSE").isTradingDay(date) && nowMs >= outOfSampleDeadline(date)) {
      issues.push({
        type: "value_error",
        loc: ["data", i, "date"],
        msg: `Date ${date}: out-of-sample values of an active factor are taken (and may be replaced) until ` +
          `${OS_UPLOAD_CUTOFF} Asia/Shanghai of the next trading day, when the return they predict starts`,
      });
    }
  });
  if (issues.length > 0) {
    throw new ValidationError(issues[0].msg, issues[0].loc, issues[0].type, issues.slice(0, 50));
  }
}

/**
 * Checks the request body (`readFactorUpload`: a 422 listing its problems, located in the body), stores it and
 * answers what was stored.
 */
export async function uploadFactorValues(
  deps: FactorServices,
  userId: string,
  id: string,
  body: unknown,
): Promise<FactorUploadView> {
  const entries = readFactorUpload(body);
  const record = await ownFactor(deps, userId, id);
  refuseUnlessUploadable(record);
  refuseFrozenDates(record, entries.map((e) => e.date), deps.clock.now());

  const sse = getCalendar("SSE");
  const today = sse.today(deps.clock.now());
  const future: ValidationIssueItem[] = [];
  entries.forEach((e, i) => {
    if (e.date > today) {
      future.push({
        type: "value_error",
        loc: ["data", i, "date"],
        msg: `Date ${e.date} is in the future (today is ${today} in Asia/Shanghai)`,
      });
    }
  });
  if (future.length > 0) {
    throw new ValidationError(future[0].msg, future[0].loc, future[0].type, future.slice(0, 50));
  }

  const members = new Set(await deps.market.getUniverse(record.universe));
  const skipped: string[] = [];
  const ignored = new Set<string>();
  const rows: FactorValuesRow[] = [];
  for (const e of entries) {
    if (!sse.isTradingDay(e.date)) {
      skipped.push(e.date);
      continue;
    }
    let kept = 0;
    for (const s of e.symbols) if (members.has(s)) kept++;
    if (kept === e.symbols.length) {
      rows.push({ date: e.date, symbols: e.symbols, values: e.values });
      continue;
    }
    const symbols: string[] = [];
    const values = new Float64Array(kept);
    for (let k = 0; k < e.symbols.length; k++) {
      const s = e.symbols[k];
      if (members.has(s)) {
        values[symbols.length] = e.values[k];
        symbols.push(s);
      } else ignored.add(s);
    }
    if (symbols.length > 0) rows.push({ date: e.date, symbols, values });
  }
  skipped.sort();
  const ignoredSymbols = { count: ignored.size, examples: [...ignored].sort().slice(0, MAX_EXAMPLES) };

  if (rows.length === 0) {
    return {
      uploaded: 0,
      total_days: record.values.total_days,
      status: record.status,
      skipped_dates: skipped,
      ignored_symbols: ignoredSymbols,
    };
  }
  let cleared = false;
  const stored = await deps.factors.putValues(id, rows, (current, summary) => {
    refuseUnlessUploadable(current);
    refuseFrozenDates(current, rows.map((r) => r.date), deps.clock.now());
    cleared = current.status === "rejected";
    return {
      ...current,
      values: summary,
      status: current.status === "active" ? "active" : statusForValues(summary, FACTOR_MIN_DAYS),
      ...(cleared ? { checks: null, reject_reason: null, is: null, yearly_stats: null } : {}),
      updated_at: deps.clock.now(),
    };
  });
  if (cleared) await deps.factors.putSeries(id, { ic_series: [], ls_cumulative_returns: [] });
  return {
    uploaded: rows.length,
    total_days: stored.values.total_days,
    status: stored.status,
    skipped_dates: skipped,
    ignored_symbols: ignoredSymbols,
  };
}
