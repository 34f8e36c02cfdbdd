/**
 * `verifyPublicRecord`: verifies a public track record from public endpoints only, as an independent second
 * implementation of everything it checks (README "Verified track records" is its specification):
 * - signals: canonical JSON and hash, deadline, inclusion in the strategy's log under a checkpoint signed by the
 *   log's key and dated before the deadline, consistency of that checkpoint with the head, and (given witness
 *   keys) at least K witness cosignatures dated before the deadline;
 * - settlement: a full replay from the published parameters, signals and public bars, compared figure by figure
 *   with `/verify` and `/track-record`;
 * - `/performance`: every metric and rolling window recomputed from the verified NAVs;
 * - the day-record hash chain from genesis (strict: legacy days only with `legacyUntil`), each record hash
 *   included in the log and covered by a listed checkpoint dated before the next settled day's 09:15 +08:00;
 * - the log's checkpoint list: non-empty, holding the head and every checkpoint relied on as seen, times never
 *   going back over everything seen and listed, every signature valid, bounded in size;
 * - trading days = the benchmark's bar dates (no hidden day); optional completeness.
 * Order: the benchmark's bars are read first (they are the calendar: which days to ask for); every check that
 * needs no other bars runs next (per-day signal, chain and `/track-record` checks, `/performance`, the log), then
 * the stocks' bars are read and the replay runs. A bars read that fails skips only what needs it.
 * Verdicts: `verified`; `not_verified` (any check failed, whatever else could not be read); `unreachable` (a read
 * failed, or the overall time ran out, and nothing checked was wrong).
 */
import {
  type ChainState,
  checkChainDay,
  checkChainEnd,
  checkLoggedInTime,
  newChain,
} from "./chain_checks.ts";
import { type KindCount, Ledger } from "./checks.ts";
import { checkCheckpointList, checkConsistencyToHead, type LogContext } from "./log_checks.ts";
import { checkpointProblem, type PublishedCheckpoint } from "./notes.ts";
import { type CheckedOptions, checkOptions } from "./options.ts";
import {
  createPublicApi,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  mapLimit,
  type PublicApi,
  UnreachableError,
} from "./public_api.ts";
import {
  checkCashFlow,
  checkCompleteness,
  checkDayHeader,
  checkPerformance,
  checkRecordParameters,
  checkTrackRow,
  type RecordExpectation,
} from "./record_checks.ts";
import { checkAgainstBars, checkTradingDays, type PublishedDays, readCalendar } from "./replay_checks.ts";
import type { Parameters, PerformanceAnswer, TrackRecordAnswer, VerifyAnswer } from "./shapes.ts";
import { checkSignal, type Weights } from "./signal_checks.ts";

export type { RecordExpectation };

/** Options of `verifyPublicRecord` (checked first: a wrong one throws a `TypeError` naming it). */
export interface VerifyOptions {
  /** The platform's base URL, e.g. `http://localhost:8000`. */
  baseUrl: string;
  slug: string;
  fetch?: FetchLike;
  expect?: RecordExpectation;
  /** The log key to trust (base64 raw Ed25519, padded or not); default: the key of the log's current head. */
  logKey?: string;
  /** Witness public keys (base64 raw Ed25519, padded or not) whose cosignatures count. */
  witnesses?: string[];
  /** Distinct witnesses each signal's checkpoint needs: an integer from 1 to the distinct keys (default: all). */
  witnessesRequired?: number;
  /** Days with `record_chain: null` are accepted on or before this `YYYY-MM-DD` (before any chained day). */
  legacyUntil?: string;
  /** Time allowed for the whole verification in ms (default 600 000); past it the verdict is unreachable. */
  timeoutMs?: number;
  /** Told each step as it starts (for a progress display; what it does or throws changes nothing checked). */
  onProgress?: (p: VerifyProgress) => void;
}

/**
 * A step of a run: `record` (the record, its parameters and the log's head), `calendar` (the benchmark's bars),
 * `days` (the settled days' signal, proof, signature and chain checks; `done` of `total` days), `performance`,
 * `log` (consistency and the checkpoint list), `replay` (the stocks' bars and the settlement replay).
 */
export interface VerifyProgress {
  step: "record" | "calendar" | "days" | "performance" | "log" | "replay";
  done?: number;
  total?: number;
}

/** The verdict on one settled day. */
export interface DayResult {
  date: string;
  ok: boolean;
  failures: string[];
  nav: number | null;
  signal_hash: string | null;
}

/** The verdict on a record. */
export interface RecordVerdict {
  verdict: "verified" | "not_verified" | "unreachable";
  ok: boolean;
  slug: string;
  days: DayResult[];
  failures: string[];
  checks: { total: number; failed: number; by_kind: Record<string, KindCount> };
  log: { origin: string; key_id: string; tree_size: number; root_hash: string } | null;
  replay: { max_relative_error: number; compared: number };
}

/** How many reads run at once. */
const CONCURRENCY = 8;

/** Verifies the public record of `slug` at `baseUrl` (see the module comment). */
export async function verifyPublicRecord(opts: VerifyOptions): Promise<RecordVerdict> {
  const checked = checkOptions(opts);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") {
    throw new TypeError("onProgress: not a function");
  }
  const ledger = new Ledger();
  const failures: string[] = [];
  const days: DayResult[] = [];
  const run: Run = { log: null, unreachable: [] };
  try {
    await verifyInto(opts, checked, ledger, failures, days, run);
  } catch (e) {
    if (!(e instanceof UnreachableError)) throw e;
    run.unreachable.push(e.message);
  }
  for (const d of days) d.ok = d.failures.length === 0;
  const wrong = ledger.failed > 0;
  for (const u of run.unreachable) failures.push(`[unreachable] ${u}`);
  const verdict = wrong ? "not_verified" : run.unreachable.length > 0 ? "unreachable" : "verified";
  return {
    verdict,
    ok: verdict === "verified",
    slug: opts.slug,
    days,
    failures,
    checks: { total: ledger.total, failed: ledger.failed, by_kind: ledger.byKind },
    log: run.log,
    replay: { max_relative_error: ledger.maxReplayError, compared: ledger.replayCompared },
  };
}

/** What a run produced besides the ledger. */
interface Run {
  log: RecordVerdict["log"];
  /** Reads that failed without stopping the run (bars), and the one that stopped it. */
  unreachable: string[];
}

/** Tells `opts.onProgress` about a step; the listener cannot affect the run. */
function progress(opts: VerifyOptions, p: VerifyProgress): void {
  try {
    opts.onProgress?.(p);
  } catch {
    // a display's failure is not the record's
  }
}

/** What the per-day checks share. */
interface DayRun {
  onDay: (done: number, total: number) => void;
  ctx: LogContext;
  slug: string;
  params: Parameters;
  witnesses: { keys: string[]; required: number };
  chain: ChainState;
}

async function verifyInto(
  opts: VerifyOptions,
  o: CheckedOptions,
  l: Ledger,
  failures: string[],
  days: DayResult[],
  run: Run,
): Promise<void> {
  const api = createPublicApi(
    opts.baseUrl,
    opts.fetch ?? fetch,
    Math.min(DEFAULT_TIMEOUT_MS, o.timeoutMs),
    Date.now() + o.timeoutMs,
  );
  const slug = opts.slug;
  const base = `/public/strategies/${encodeURIComponent(slug)}`;

  // Reading: the record, its parameters, the log's head.
  progress(opts, { step: "record" });
  const track = await api.get<TrackRecordAnswer>(`${base}/track-record`);
  const records = Array.isArray(track.records) ? track.records : [];
  const params = checkRecordParameters(l, failures, slug, track);
  if (!params) return;
  const { ctx, firstHead } = await openLog(
    api,
    l,
    failures,
    track.is_demo ? "demo" : "production",
    params,
    o.logKey,
  );
  run.log = headSummary(firstHead);
  const published = records.map((r) => r.date);
  for (let i = 1; i < published.length; i++) {
    l.check(
      failures,
      "track_record.dates",
      published[i] > published[i - 1],
      () => `settled days are out of order: ${published[i - 1]} is followed by ${published[i]}`,
    );
  }
  const last = published.at(-1);
  l.check(failures, "track_record.dates", last !== undefined, () => "no settled days to verify");
  if (last === undefined) return;

  // The calendar (the benchmark's bar dates): a trading day hidden from /track-record is still asked for.
  progress(opts, { step: "calendar" });
  const calendar = await readCalendar(api, params, last);
  const publishedSet = new Set(published);
  let dates = published;
  if (calendar.bars) {
    const expected = calendar.bars.dates.filter((d) => d >= params.start_date && d <= last);
    checkTradingDays(l, failures, params, published, expected);
    dates = [...new Set([...expected, ...published])].sort();
  } else run.unreachable.push(calendar.unreachable);
  progress(opts, { step: "days", done: 0, total: dates.length });
  const answers = await mapLimit(
    dates,
    CONCURRENCY,
    (d) => api.get<VerifyAnswer | null>(`${base}/verify?date=${d}`, { allowNotFound: !publishedSet.has(d) }),
  );

  // Per-day checks that need no bars.
  const dr: DayRun = {
    onDay: (done, total) => progress(opts, { step: "days", done, total }),
    ctx,
    slug,
    params,
    witnesses: { keys: o.witnesses, required: o.required },
    chain: newChain(o.legacyUntil),
  };
  const p: PublishedDays = {
    dates,
    bundles: new Map(),
    weights: new Map(),
    rows: new Map(records.map((r) => [r.date, r])),
    sinkOf: (date) => sinks.get(date) ?? failures,
  };
  const sinks = new Map<string, string[]>();
  const { navs, benchReturns } = await checkDays(dr, p, answers, days, sinks);
  const settled = days.map((d) => d.date);
  checkChainEnd(ctx, dr.chain, days.at(-1)!.failures, settled.at(-1)!);
  progress(opts, { step: "performance" });
  const perf = await api.get<PerformanceAnswer>(`${base}/performance`);
  checkPerformance(l, failures, perf, navs, benchReturns, settled, params.initial_capital);

  // Log checks: the first head as seen, every checkpoint consistent with the final head, the checkpoint list.
  progress(opts, { step: "log" });
  const head = await checkLog(
    ctx,
    failures,
    firstHead,
    (list) => checkLoggedInTime(ctx, dr.chain, list, settled, p.sinkOf),
  );
  if (head) run.log = headSummary(head);
  if (opts.expect) checkCompleteness(l, failures, days, opts.expect);

  // Last, the checks that need the stocks' bars.
  if (calendar.bars) {
    progress(opts, { step: "replay" });
    run.unreachable.push(...await checkAgainstBars(api, l, failures, params, calendar.bars, p));
  }
}

/** Reads the log's head and checks it (its signature by the trusted key, its origin the strategy's). */
async function openLog(
  api: PublicApi,
  l: Ledger,
  failures: string[],
  logName: string,
  params: Parameters,
  logKey: string | undefined,
): Promise<{ ctx: LogContext; firstHead: PublishedCheckpoint }> {
  const firstHead = await api.get<PublishedCheckpoint>(`/public/log/checkpoint?log=${logName}`);
  const key = logKey ?? firstHead.public_key;
  const ctx: LogContext = {
    api,
    ledger: l,
    logName,
    origin: params.log_origin,
    key,
    seen: new Map(),
    published: new Map(),
  };
  const headProblem = await checkpointProblem(firstHead, key);
  l.check(failures, "log.head", headProblem === null, () => `the log's head: ${headProblem}`);
  l.same(failures, "log.origin", "the log's head origin", firstHead.origin, params.log_origin, {
    word: "parameters.log_origin",
  });
  return { ctx, firstHead };
}

/**
 * The per-day checks that need no bars over every settled day (`answers[i]` of `p.dates[i]`, `null` when not
 * settled); fills `p`'s bundles and weights and `days`; returns the published NAVs and benchmark returns.
 */
async function checkDays(
  dr: DayRun,
  p: PublishedDays,
  answers: (VerifyAnswer | null)[],
  days: DayResult[],
  sinks: Map<string, string[]>,
): Promise<{ navs: number[]; benchReturns: (number | null)[] }> {
  const navs: number[] = [], benchReturns: (number | null)[] = [];
  let cash = dr.params.initial_capital;
  for (let i = 0; i < p.dates.length; i++) {
    const b = answers[i], date = p.dates[i], sink: string[] = [];
    if (i > 0 && i % 10 === 0) dr.onDay(i, p.dates.length);
    if (!b) continue; // not settled: the replay stops there
    p.bundles.set(date, b);
    sinks.set(date, sink);
    const w = await checkDay(dr, sink, date, b, p.rows.get(date), navs.at(-1) ?? dr.params.initial_capital);
    if (w) p.weights.set(date, w);
    cash = checkCashFlow(dr.ctx.ledger, sink, date, b, cash);
    navs.push(b.nav);
    benchReturns.push(b.benchmark?.return ?? null);
    days.push({ date, ok: true, failures: sink, nav: b.nav, signal_hash: b.signal?.signal_hash ?? null });
  }
  dr.onDay(p.dates.length, p.dates.length);
  return { navs, benchReturns };
}

/** The checks of one settled day that need no bars; returns the signal's weights. */
async function checkDay(
  dr: DayRun,
  sink: string[],
  date: string,
  b: VerifyAnswer,
  row: TrackRecordAnswer["records"][number] | undefined,
  prevNav: number,
): Promise<Weights | null> {
  const l = dr.ctx.ledger;
  checkDayHeader(l, sink, dr.slug, date, b, dr.params);
  const weights = await checkSignal(dr.ctx, sink, dr.slug, date, b, dr.params.execution_price, dr.witnesses);
  await checkChainDay(dr.ctx, dr.chain, sink, dr.slug, date, b, row, dr.params);
  if (row) checkTrackRow(l, sink, row, b, prevNav, dr.params);
  return weights;
}

/**
 * The log as a whole: the first head against any checkpoint of its size seen (`log.equivocation`), the final
 * head's signature, consistency of everything seen with it, and the checkpoint list (then `withList`). Returns
 * the final head when its signature holds.
 */
async function checkLog(
  ctx: LogContext,
  failures: string[],
  firstHead: PublishedCheckpoint,
  withList: (list: Awaited<ReturnType<typeof checkCheckpointList>>) => void,
): Promise<PublishedCheckpoint | null> {
  const l = ctx.ledger;
  const same = ctx.seen.get(firstHead.tree_size);
  if (same) {
    l.check(
      failures,
      "log.equivocation",
      same.root_hash === firstHead.root_hash && same.timestamp === firstHead.timestamp,
      () =>
        `the log's first head differs from the signed checkpoint of size ${firstHead.tree_size} a proof rested on`,
    );
  } else ctx.seen.set(firstHead.tree_size, firstHead);
  const head = await ctx.api.get<PublishedCheckpoint>(`/public/log/checkpoint?log=${ctx.logName}`);
  const problem = await checkpointProblem(head, ctx.key);
  l.check(failures, "log.head", problem === null, () => `the log's head: ${problem}`);
  if (problem !== null) return null;
  await checkConsistencyToHead(ctx, failures, head);
  withList(await checkCheckpointList(ctx, failures, head));
  return head;
}

function headSummary(h: PublishedCheckpoint): RecordVerdict["log"] {
  return { origin: h.origin, key_id: h.key_id, tree_size: h.tree_size, root_hash: h.root_hash };
}
