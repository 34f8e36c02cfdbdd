/**
 * Daily signals: a strategy's target weights for one SSE trading day, accepted only before that day's deadline
 * (09:15 Asia/Shanghai for open execution, 15:00 for close, judged by the server's receive time, no grace),
 * hashed canonically, appended to the transparency log and, when configured, committed to GitHub.
 */
import { iso } from "../../iso_time.ts";
import { getCalendar } from "../../calendar/calendar.ts";
import { isIsoDate } from "../../calendar/dates.ts";
import { newId } from "../../tokens_and_hashes.ts";
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from "../../errors.ts";
import type { AttestationState, LogEntryRef, SignalRecord, SignalToLog } from "../../store/signal_repo.ts";
import type { TrackedStrategyRecord } from "../../store/tracked_strategy_repo.ts";
import { canonicalSignalJson, signalHash, sortSignals } from "./canonical.ts";
import { logOf, type SignalLogPort, type TrackRecordServices } from "../services.ts";
import { auditEntry, getOwnTracked } from "./tracked_strategies.ts";

/** A-share symbol form accepted in signals: six digits, `.SH` or `.SZ`. */
const SIGNAL_SYMBOL_PATTERN = /^\d{6}\.(SH|SZ)$/;

/**
 * Most symbols one day's signal may hold: a multi-factor portfolio's `top_n` reaches 500. Large signals and
 * settled days are stored in chunks within their one commit (`domain/store/record_parts.ts`), so 500 symbols
 * stay clear of Deno KV's 64 KiB value and 800 KiB commit limits.
 */
export const MAX_SIGNAL_SYMBOLS = 500;

/** Tolerance on the sum of weights (floating-point noise of weights that add up to exactly 1). */
const WEIGHT_SUM_TOLERANCE = 1e-9;

/** Local deadline per execution price. */
export const DEADLINES = { open: "09:15", close: "15:00" } as const;

const sse = getCalendar("SSE");

/** The deadline instant (epoch ms) of a signal for `tradeDate` executed at `execution`. */
export function signalDeadline(tradeDate: string, execution: "open" | "close"): number {
  return sse.instantAt(tradeDate, DEADLINES[execution]);
}

/** A submitted day of weights. */
export interface SubmitSignalInput {
  trade_date: string;
  signals: { symbol: string; weight: number }[];
}

/** A signal as the API shows it. */
export interface SignalView {
  id: string;
  strategy: string;
  trade_date: string;
  signals: { symbol: string; weight: number }[];
  signal_hash: string;
  canonical_json: string;
  submitted_at: string;
  deadline_at: string;
  is_settled: boolean;
  github_committed: boolean;
  attestation: { committed: boolean; sha?: string; url?: string; reason?: string };
  log: { leaf_index: number; tree_size: number } | null;
  replaced_versions: number;
  /** `true` when the trade date lies past the official SSE holiday list (judged on the estimate). */
  provisional: boolean;
  /**
   * `"exchange closed"` when an official list installed after the submission closes the trade date: the signal
   * stays in the log but is never settled; `null` otherwise.
   */
  void: string | null;
}

/** Why an unsettled signal will never be settled: its trade date is no longer an SSE trading day. */
const VOID_EXCHANGE_CLOSED = "exchange closed";

/** `r`'s weights in the order its submission listed them (sorted by symbol when that order was not kept). */
function inSubmittedOrder(r: SignalRecord): { symbol: string; weight: number }[] {
  const order = r.submitted_order;
  if (!order || order.length !== r.signals.length) return r.signals;
  const bySymbol = new Map(r.signals.map((s) => [s.symbol, s]));
  const out = order.map((symbol) => bySymbol.get(symbol)).filter((s) => s !== undefined);
  return out.length === r.signals.length ? out : r.signals;
}

/**
 * The API view of a stored signal. `signals` lists the weights in the order they were submitted (as the QuantGPT
 * guide's history example shows, so its "compare with my signals" recovery step works); `canonical_json` and
 * `signal_hash` sort them by symbol, so the order never changes the hash.
 */
export function toSignalView(r: SignalRecord): SignalView {
  const a = r.attestation;
  return {
    id: r.id,
    strategy: r.strategy_slug,
    trade_date: r.trade_date,
    signals: inSubmittedOrder(r),
    signal_hash: r.signal_hash,
    canonical_json: r.canonical_json,
    submitted_at: iso(r.submitted_at),
    deadline_at: iso(r.deadline_at),
    is_settled: r.is_settled,
    github_committed: a.committed,
    attestation: a.committed
      ? { committed: true, sha: a.sha, url: a.url }
      : { committed: false, reason: a.reason },
    log: r.log ? { leaf_index: r.log.leaf_index, tree_size: r.log.tree_size } : null,
    replaced_versions: r.replaced_hashes.length,
    provisional: sse.isProvisional(r.trade_date),
    void: !r.is_settled && !sse.isTradingDay(r.trade_date) ? VOID_EXCHANGE_CLOSED : null,
  };
}

/**
 * Checks the trade date against the SSE calendar: a malformed date is a `ValidationError`, a closed day a
 * `BadRequestError` naming the next trading day (`next_trading_day`).
 */
function assertTradingDay(tradeDate: string): void {
  if (!isIsoDate(tradeDate)) {
    throw new ValidationError(`Invalid trade_date "${tradeDate}"`, ["trade_date"]);
  }
  if (!sse.isTradingDay(tradeDate)) {
    const next = sse.tradingDayOnOrAfter(tradeDate);
    const estimated = sse.isProvisional(tradeDate) ? " by the holiday estimate (no official list yet)" : "";
    throw new BadRequestError(`${tradeDate} is not an SSE trading day${estimated} (next: ${next})`, {
      next_trading_day: next,
      provisional: sse.isProvisional(tradeDate),
    });
  }
}

/**
 * The refusal of a submission that arrives too late (a past trade date, or at/after the deadline), or `null` when
 * it is in time. Its `detail` always contains "deadline passed", the words the QuantGPT guide's agent loop reads.
 */
function lateRefusal(
  tradeDate: string,
  execution: "open" | "close",
  nowMs: number,
  extra?: Record<string, string>,
): BadRequestError | null {
  const today = sse.today(nowMs);
  if (tradeDate < today) {
    return new BadRequestError(
      `Signal deadline passed: trade_date ${tradeDate} is in the past (today is ${today} CST)`,
      extra,
    );
  }
  const deadline = signalDeadline(tradeDate, execution);
  if (nowMs < deadline) return null;
  return new BadRequestError(
    `Signal deadline passed: signals for ${tradeDate} (${execution} execution) had to arrive before ` +
      `${DEADLINES[execution]} Asia/Shanghai (${iso(deadline)})`,
    extra,
  );
}

/**
 * Checks the trade date against the SSE calendar, today (CST) and the deadline; throws `BadRequestError` (a
 * malformed date: `ValidationError`). Answers the deadline instant.
 */
export function assertBeforeDeadline(tradeDate: string, execution: "open" | "close", nowMs: number): number {
  assertTradingDay(tradeDate);
  const late = lateRefusal(tradeDate, execution, nowMs);
  if (late) throw late;
  return signalDeadline(tradeDate, execution);
}

async function validateWeights(deps: TrackRecordServices, input: SubmitSignalInput): Promise<void> {
  const issues: { type: string; loc: (string | number)[]; msg: string }[] = [];
  if (input.signals.length > MAX_SIGNAL_SYMBOLS) {
    throw new ValidationError(`At most ${MAX_SIGNAL_SYMBOLS} symbols per signal`, ["signals"]);
  }
  const seen = new Set<string>();
  let sum = 0;
  for (const [i, s] of input.signals.entries()) {
    const loc = ["signals", i];
    if (!SIGNAL_SYMBOL_PATTERN.test(s.symbol)) {
      issues.push({
        type: "value_error",
        loc: [...loc, "symbol"],
        msg: `Symbol "${s.symbol}" must look like 600519.SH or 000001.SZ`,
      });
      continue;
    }
    if (seen.has(s.symbol)) {
      issues.push({ type: "value_error", loc: [...loc, "symbol"], msg: `Duplicate symbol "${s.symbol}"` });
    }
    seen.add(s.symbol);
    if (!(s.weight > 0 && s.weight <= 1)) {
      issues.push({
        type: "value_error",
        loc: [...loc, "weight"],
        msg: `Weight of ${s.symbol} must be in (0, 1]`,
      });
    }
    sum += s.weight;
  }
  if (sum > 1 + WEIGHT_SUM_TOLERANCE) {
    issues.push({
      type: "value_error",
      loc: ["signals"],
      msg: `Weights sum to ${sum}; at most 1 (the rest is cash)`,
    });
  }
  if (issues.length === 0) {
    // Looked up together (at most MAX_SIGNAL_SYMBOLS), reported in the submitted order.
    const infos = await Promise.all(input.signals.map((s) => deps.market.getSymbol(s.symbol)));
    for (const [i, s] of input.signals.entries()) {
      const info = infos[i];
      if (!info || (info.kind !== "stock" && info.kind !== "etf")) {
        issues.push({
          type: "value_error",
          loc: ["signals", i, "symbol"],
          msg: info ? `"${s.symbol}" is an index, not a tradable security` : `Unknown symbol "${s.symbol}"`,
        });
      }
    }
  }
  if (issues.length > 0) throw new ValidationError(issues[0].msg, issues[0].loc, "value_error", issues);
}

/** Result of a submission. */
export interface SubmitResult {
  signal: SignalRecord;
  replaced: boolean;
}

/**
 * Accepts a day's target weights for one of my strategies (pending or active). The first signal activates a
 * pending strategy. Two submissions racing on the same strategy-day: one wins, the other gets `ConflictError`.
 *
 * A re-submission for a day that already has a signal answers so that a client following the QuantGPT guide's
 * Error Recovery and Idempotency tables ends up right ("409: already submitted — compare with
 * `GET signals?limit=1`, skip if identical, else DELETE and re-POST"; "400: deadline passed — no recovery"):
 *
 * | the day's recorded signal                               | re-submission | answer                                 |
 * | ------------------------------------------------------- | ------------- | -------------------------------------- |
 * | any state                                               | identical     | 409 `reason: "identical"` (no change)  |
 * | settled                                                 | different     | 409 `reason: "settled"` (final)        |
 * | committed to GitHub                                     | different     | 409 `reason: "attested"` (final)       |
 * | neither, deadline passed                                | different     | 400 "… deadline passed …"              |
 * | neither, before the deadline                            | different     | 201 `replaced: true` (the override)    |
 *
 * Every 409 carries `trade_date`, `existing_signal_id`, `existing_signal_hash`, `identical`, `reason` and
 * `replaceable` (whether a DELETE then re-POST would be accepted now). So a timed-out POST retried blindly is a
 * harmless 409 "identical", and a final signal is never reported as "deadline passed" (which the guide's loop
 * reads as "nothing was submitted"). With no signal recorded, a late submission is 400 "deadline passed".
 *
 * Everything a submission writes is one atomic commit (see `SignalRepo.put`); the returned record is not yet in
 * the transparency log nor on GitHub: `attestPending` does both, and finds the signal by its markers even when
 * the process died right after this commit.
 */
export async function submitSignal(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  input: SubmitSignalInput,
): Promise<SubmitResult> {
  const receivedAt = deps.clock.now();
  const strategy = await getOwnTracked(deps, ownerId, slug);
  if (strategy.status !== "pending" && strategy.status !== "active") {
    throw new BadRequestError(
      `Strategy "${slug}" is ${strategy.status}: signals are accepted when pending or active`,
    );
  }
  assertTradingDay(input.trade_date);
  const deadline = signalDeadline(input.trade_date, strategy.execution_price);
  const signals = sortSignals(input.signals).map((s) => ({ symbol: s.symbol, weight: s.weight }));
  const payload = { strategy: slug, trade_date: input.trade_date, signals };
  const canonical = canonicalSignalJson(payload);
  const hash = await signalHash(payload);

  const existing = await deps.signals.getEntry(slug, input.trade_date);
  const prior = existing.value;
  const late = lateRefusal(
    input.trade_date,
    strategy.execution_price,
    receivedAt,
    prior ? { existing_signal_hash: prior.signal_hash } : undefined,
  );
  if (prior) {
    const conflict = resubmissionConflict(prior, hash, late === null);
    if (conflict) throw conflict;
  }
  if (late) throw late;
  await validateWeights(deps, input);
  const pending: AttestationState = { committed: false, reason: "pending", attempted_at: null };
  const record: SignalRecord = {
    id: prior?.id ?? newId("sig", receivedAt),
    strategy_slug: slug,
    trade_date: input.trade_date,
    signals,
    submitted_order: input.signals.map((s) => s.symbol),
    signal_hash: hash,
    canonical_json: canonical,
    submitted_at: receivedAt,
    deadline_at: deadline,
    execution_price: strategy.execution_price,
    is_settled: false,
    attestation: deps.attester.configured
      ? pending
      : { committed: false, reason: "repo_not_configured", attempted_at: null },
    log: null,
    replaced_hashes: prior ? [...prior.replaced_hashes, prior.signal_hash] : [],
  };
  const activation = await activationFor(deps, strategy, input.trade_date, receivedAt);
  const entries = [
    auditEntry(
      deps,
      prior ? "SIGNAL_REPLACED" : "SIGNAL_SUBMITTED",
      `${prior ? "Replaced" : "Submitted"} signal for ${input.trade_date}: ${signals.length} symbols, hash ${
        hash.slice(0, 12)
      }`,
      { signal_hash: hash, symbols: signals.length },
      input.trade_date,
    ),
  ];
  if (activation && strategy.status === "pending") {
    entries.push(
      auditEntry(deps, "ACTIVATED", `Activated by the first signal (for ${input.trade_date})`, null),
    );
  }
  // One commit: the signal, its by-hash index, its "to log" and "to attest" markers, the audit entries and the
  // activation. Logging and the GitHub commit follow in `attestPending`.
  await deps.signals.put(record, existing, { activate: activation, audit: entries });
  return { signal: record, replaced: prior !== null };
}

/** Why a re-submission for `prior`'s day is refused with 409 (see `submitSignal`), or `null` to go on. */
function resubmissionConflict(prior: SignalRecord, hash: string, inTime: boolean): ConflictError | null {
  const date = prior.trade_date;
  const final = prior.is_settled ? "settled" : prior.attestation.committed ? "attested" : null;
  const identical = prior.signal_hash === hash;
  if (!identical && final === null) return null;
  const reason = identical ? "identical" : final!;
  const extra = {
    trade_date: date,
    existing_signal_id: prior.id,
    existing_signal_hash: prior.signal_hash,
    identical,
    reason,
    replaceable: final === null && inTime,
  };
  if (identical) {
    return new ConflictError(
      `A signal for ${date} is already submitted and recorded with identical content ` +
        `(signal_hash ${prior.signal_hash}); nothing changed`,
      extra,
    );
  }
  const state = final === "settled" ? "settled" : "attested on GitHub";
  return new ConflictError(
    `A signal for ${date} is already submitted and ${state}; it cannot be replaced ` +
      `(existing signal_hash ${prior.signal_hash})`,
    extra,
  );
}

/** The strategy change a submission implies: activation of a pending strategy or an earlier start date. */
async function activationFor(
  deps: TrackRecordServices,
  strategy: TrackedStrategyRecord,
  tradeDate: string,
  now: number,
) {
  const needs = strategy.status === "pending" ||
    (strategy.start_date !== null && tradeDate < strategy.start_date &&
      (await deps.settlements.head(strategy.slug)) === null);
  if (!needs) return undefined;
  const current = await deps.strategies.getEntry(strategy.slug);
  if (!current.value) throw new NotFoundError(`Strategy "${strategy.slug}" not found`);
  const next: TrackedStrategyRecord = current.value.status === "pending"
    ? { ...current.value, status: "active", activated_at: now, start_date: tradeDate, updated_at: now }
    : { ...current.value, start_date: tradeDate, updated_at: now };
  return { current, next };
}

/**
 * Appends one signal version to its strategy's transparency log (`logOf`: the demo log for demo strategies;
 * idempotent per hash) and records its position on the signal while that version is still the stored one,
 * clearing its "to log" marker. Witnesses are not asked here: the caller (`attestPending`) cosigns each log's head
 * once after all its appends, so a slow witness costs a call one timeout, not one per appended hash. `appended`
 * is `false` when the hash was in the log already; `tlog` is the log it went to. Throws when the log fails.
 */
export async function logSignalVersion(
  deps: TrackRecordServices,
  item: SignalToLog,
): Promise<{ log: LogEntryRef; appended: boolean; tlog: SignalLogPort }> {
  const strategy = await deps.strategies.get(item.strategy_slug);
  if (!strategy) throw new NotFoundError(`Cannot log a signal of "${item.strategy_slug}": no such strategy`);
  const tlog = logOf(deps, strategy);
  const appended = await tlog.append(item.signal_hash);
  const cp = await tlog.checkpoint();
  const log = {
    leaf_index: appended.leaf_index,
    tree_size: cp.tree_size,
    checkpoint_timestamp: cp.timestamp,
  };
  await deps.signals.markLogged(item, log);
  return { log, appended: appended.appended, tlog };
}

/**
 * Commits a signal to GitHub and stores the outcome on it while its hash is still the stored one; a failure is
 * recorded (and logged), never thrown. Returns the record with the outcome.
 */
export async function commitSignalToGithub(
  deps: TrackRecordServices,
  record: SignalRecord,
): Promise<SignalRecord> {
  const result = await deps.attester.attest({
    slug: record.strategy_slug,
    trade_date: record.trade_date,
    canonical_json: record.canonical_json,
    signal_hash: record.signal_hash,
  });
  const at = deps.clock.now();
  const attestation: AttestationState = result.committed
    ? { committed: true, sha: result.sha, url: result.url, path: result.path, attempted_at: at }
    : { committed: false, reason: result.reason, attempted_at: at };
  if (!result.committed) {
    deps.log("warn", "github attestation failed", {
      slug: record.strategy_slug,
      date: record.trade_date,
      reason: result.reason,
    });
  }
  await deps.signals.patchIfHash(record.strategy_slug, record.trade_date, record.signal_hash, {
    attestation,
  });
  return { ...record, attestation };
}

/** My strategy's signals, newest first. */
export async function listSignals(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  limit: number,
  offset: number,
): Promise<{ items: SignalRecord[]; total: number }> {
  await getOwnTracked(deps, ownerId, slug);
  return await deps.signals.list(slug, limit, offset);
}

/**
 * Withdraws a signal: only before its deadline, and only if neither settled nor committed to GitHub (each refusal
 * a `BadRequestError` in the guide's words: "settled signals are immutable", "attested signals cannot be
 * deleted", "deadline passed, signal locked"); a day without a signal is `NotFoundError` (so a repeated DELETE
 * is a harmless 404).
 */
export async function withdrawSignal(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  tradeDate: string,
): Promise<SignalRecord> {
  const now = deps.clock.now();
  await getOwnTracked(deps, ownerId, slug);
  const entry = await deps.signals.getEntry(slug, tradeDate);
  if (!entry.value) throw new NotFoundError(`No signal for ${tradeDate}`);
  const s = entry.value;
  if (s.is_settled) {
    throw new BadRequestError(`The signal for ${tradeDate} is settled: settled signals are immutable`);
  }
  if (s.attestation.committed) {
    throw new BadRequestError(
      `The signal for ${tradeDate} is attested on GitHub: attested signals cannot be deleted`,
    );
  }
  if (now >= s.deadline_at) {
    throw new BadRequestError(
      `Signal deadline passed, signal locked: the deadline for ${tradeDate} was ${iso(s.deadline_at)}`,
    );
  }
  const withdrawn = auditEntry(
    deps,
    "SIGNAL_WITHDRAWN",
    `Withdrew the signal for ${tradeDate} (hash ${s.signal_hash.slice(0, 12)})`,
    { signal_hash: s.signal_hash },
    tradeDate,
  );
  await deps.signals.remove(entry as Deno.KvEntry<SignalRecord>, withdrawn);
  return s;
}
