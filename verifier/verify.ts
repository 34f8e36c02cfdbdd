/**
 * `verifyPublicRecord`: verifies a public track record from public endpoints only, as an independent second
 * implementation of everything it checks (README "Verified track records" is its specification):
 * - signals: canonical JSON and hash, deadline, inclusion in the strategy's log under a checkpoint signed by the
 *   log's key and dated before the deadline, consistency of that checkpoint with the head, and (given witness
 *   keys) at least K witness cosignatures dated before the deadline;
 * - settlement: a full replay from the published parameters, signals and public bars, compared figure by figure
 *   with `/verify` and `/track-record`;
 * - `/performance`: every metric and rolling window recomputed from the verified NAVs;
 * - the day-record hash chain from the first day, each record hash included in the log;
 * - the log's checkpoint list: times never go back, every signature valid;
 * - trading days = the benchmark's bar dates (no hidden day); optional completeness.
 * Verdicts: `verified`; `not_verified` (a published number or proof is wrong); `unreachable` (a read failed before
 * anything wrong was found).
 */
import { canonicalSignalJson } from "./canonical_json.ts";
import { canonicalDayRecord, GENESIS_HASH } from "./chain.ts";
import { type KindCount, Ledger } from "./checks.ts";
import { sha256Hex } from "./crypto.ts";
import { compareDay } from "./day_checks.ts";
import {
  checkCheckpointList,
  checkConsistencyToHead,
  checkInclusion,
  checkWitnesses,
  type LogContext,
} from "./log_checks.ts";
import { addDays, loadBars, type SymbolBars, tradingDaysBetween } from "./market.ts";
import { type Metrics, performanceOf } from "./metrics.ts";
import { checkpointProblem, type PublishedCheckpoint } from "./notes.ts";
import { createPublicApi, type FetchLike, mapLimit, UnreachableError } from "./public_api.ts";
import { replayDay, type ReplayState } from "./replay.ts";
import type { Parameters, PerformanceAnswer, TrackRecordAnswer, VerifyAnswer } from "./shapes.ts";

/** What a complete record holds through `through` (the record may go on after it). */
export interface RecordExpectation {
  through: string;
  first_day?: string;
  settled_days?: number;
  signal_days?: number;
}

/** Options of `verifyPublicRecord`. */
export interface VerifyOptions {
  /** The platform's base URL, e.g. `http://localhost:8000`. */
  baseUrl: string;
  slug: string;
  fetch?: FetchLike;
  expect?: RecordExpectation;
  /** The log key to trust (base64 raw Ed25519); default: the key of the log's current head. */
  logKey?: string;
  /** Witness public keys (base64 raw Ed25519) whose cosignatures count. */
  witnesses?: string[];
  /** Distinct witnesses each signal's checkpoint needs (default: all given). */
  witnessesRequired?: number;
  /** Time allowed for one read (default 30 s). */
  timeoutMs?: number;
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
/** Calendar days of benchmark bars read before the first day (for its return). */
const BENCHMARK_LEAD_DAYS = 30;

const DEADLINE_TIME = { open: "09:15", close: "15:00" } as const;
const PARAMETER_NAMES = [
  "universe",
  "benchmark",
  "execution_price",
  "holding_period",
  "commission_rate",
  "slippage_rate",
  "lot_size",
  "initial_capital",
  "start_date",
  "calendar",
  "dividend_convention",
  "log_origin",
] as const;

/** Conventions `/performance` must state (the ones the metrics here follow). */
const CONVENTIONS: Record<string, unknown> = {
  periods_per_year: 252,
  std_ddof: 1,
  risk_free_rate: 0,
  rolling_window_days: 60,
};

const METRIC_NAMES: (keyof Metrics)[] = [
  "total_return",
  "annual_return",
  "volatility",
  "sharpe",
  "max_drawdown",
  "calmar",
  "excess_return",
  "excess_sharpe",
  "benchmark_return",
  "trading_days",
  "benchmark_missing_days",
];

function parametersProblem(p: Parameters | undefined): string | null {
  if (!p || typeof p !== "object") return "the record publishes no parameters";
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  if (p.execution_price !== "open" && p.execution_price !== "close") return "execution_price";
  if (!Number.isSafeInteger(p.holding_period) || p.holding_period < 1) return "holding_period";
  if (!Number.isSafeInteger(p.lot_size) || p.lot_size < 1) return "lot_size";
  if (
    !finite(p.commission_rate) || p.commission_rate < 0 || !finite(p.slippage_rate) || p.slippage_rate < 0
  ) {
    return "commission_rate / slippage_rate";
  }
  if (!finite(p.initial_capital) || p.initial_capital <= 0) return "initial_capital";
  if (typeof p.start_date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(p.start_date)) return "start_date";
  if (typeof p.benchmark !== "string" || typeof p.log_origin !== "string") return "benchmark / log_origin";
  return null;
}

/** Parses a signal's weights from its canonical JSON; `null` when it is not the canonical signal form. */
function weightsOf(canonical: string): { symbol: string; weight: number }[] | null {
  try {
    const parsed = JSON.parse(canonical);
    if (!Array.isArray(parsed?.signals)) return null;
    const out = parsed.signals.map((s: { symbol: unknown; weight: unknown }) => ({
      symbol: s.symbol,
      weight: typeof s.weight === "string" ? Number(s.weight) : NaN,
    }));
    return out.every((s: { symbol: unknown; weight: number }) =>
        typeof s.symbol === "string" && Number.isFinite(s.weight)
      )
      ? out
      : null;
  } catch {
    return null;
  }
}

/** Verifies the public record of `slug` at `baseUrl` (see the module comment). */
export async function verifyPublicRecord(opts: VerifyOptions): Promise<RecordVerdict> {
  const ledger = new Ledger();
  const failures: string[] = [];
  const days: DayResult[] = [];
  let log: RecordVerdict["log"] = null;
  let unreachable: string | null = null;
  try {
    log = await verifyInto(opts, ledger, failures, days);
  } catch (e) {
    if (!(e instanceof UnreachableError)) throw e;
    unreachable = e.message;
  }
  const wrong = ledger.failed > 0;
  if (unreachable !== null) failures.push(`[unreachable] ${unreachable}`);
  const verdict = wrong ? "not_verified" : unreachable !== null ? "unreachable" : "verified";
  return {
    verdict,
    ok: verdict === "verified",
    slug: opts.slug,
    days,
    failures,
    checks: { total: ledger.total, failed: ledger.failed, by_kind: ledger.byKind },
    log,
    replay: { max_relative_error: ledger.maxReplayError, compared: ledger.replayCompared },
  };
}

async function verifyInto(
  opts: VerifyOptions,
  l: Ledger,
  failures: string[],
  days: DayResult[],
): Promise<RecordVerdict["log"]> {
  const api = createPublicApi(opts.baseUrl, opts.fetch ?? fetch, opts.timeoutMs);
  const slug = opts.slug;
  const base = `/public/strategies/${encodeURIComponent(slug)}`;
  const track = await api.get<TrackRecordAnswer>(`${base}/track-record`);
  const records = Array.isArray(track.records) ? track.records : [];
  const params = track.parameters;
  const paramProblem = parametersProblem(params);
  l.check(failures, "parameters.missing", paramProblem === null, () => `${slug}: ${paramProblem}`);
  if (paramProblem !== null || !params) return null;
  l.same(
    failures,
    "parameters.initial_capital",
    "track-record initial_capital",
    track.initial_capital,
    params.initial_capital,
    { word: "parameters" },
  );
  l.same(failures, "parameters.benchmark", "track-record benchmark", track.benchmark, params.benchmark, {
    word: "parameters",
  });
  l.same(
    failures,
    "parameters.dividend_convention",
    slug,
    params.dividend_convention,
    "cash_on_ex_date_no_tax",
    { word: "documented" },
  );

  // The log: its head (key unless one is given), origin = the strategy's log.
  const logName = track.is_demo ? "demo" : "production";
  const firstHead = await api.get<PublishedCheckpoint>(`/public/log/checkpoint?log=${logName}`);
  const key = opts.logKey ?? firstHead.public_key;
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

  // Trading days: the benchmark's bar dates from the start date through the last published day.
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
  if (last === undefined) return headSummary(firstHead);
  const benchBars =
    (await loadBars(api, [params.benchmark], addDays(params.start_date, -BENCHMARK_LEAD_DAYS), last, 1))
      .get(params.benchmark)!;
  const calendar = benchBars.dates;
  const expected = calendar.filter((d) => d >= params.start_date && d <= last);
  const publishedSet = new Set(published);
  const expectedSet = new Set(expected);
  for (let i = 0; i < expected.length; i++) {
    if (publishedSet.has(expected[i])) continue;
    const before = expected.slice(0, i).reverse().find((d) => publishedSet.has(d));
    const after = published.find((d) => d > expected[i]);
    l.check(
      failures,
      "track_record.dates",
      false,
      () =>
        before === undefined
          ? `the first settled day is ${published[0]}, but trading starts ${expected[i]} (missing ${
            expected[i]
          })`
          : `settled days are not consecutive: ${before} is followed by ${after} (missing ${expected[i]})`,
    );
  }
  for (const d of published) {
    l.check(
      failures,
      "calendar.trading_day",
      expectedSet.has(d),
      () =>
        `${d} is settled but is not a trading day (no ${params.benchmark} bar, or before the start date ${params.start_date})`,
    );
  }
  const dates = [...new Set([...expected, ...published])].sort();

  // Every day's bundle (a day missing from /track-record is still asked for).
  const bundles = await mapLimit(
    dates,
    CONCURRENCY,
    (d) => api.get<VerifyAnswer | null>(`${base}/verify?date=${d}`, { allowNotFound: !publishedSet.has(d) }),
  );
  const weightsByDay = new Map<string, { symbol: string; weight: number }[]>();
  for (let i = 0; i < dates.length; i++) {
    const s = bundles[i]?.signal;
    const w = s ? weightsOf(s.canonical_json) : null;
    if (w) weightsByDay.set(dates[i], w);
  }
  const symbols = [...new Set([...weightsByDay.values()].flat().map((w) => w.symbol))].sort();
  const bars = await loadBars(api, symbols, params.start_date, last, CONCURRENCY);
  const noBars: SymbolBars = { dates: [], bar: () => null, close: () => null };

  const witnesses = [...new Set(opts.witnesses ?? [])];
  const required = opts.witnessesRequired ?? witnesses.length;
  let state: ReplayState = { cash: params.initial_capital, holdings: [] };
  let prevNav = params.initial_capital;
  let publishedCash = params.initial_capital;
  let replaying = true;
  let prevHash: string | null = null;
  let chained = false, sawDividendConvention = false;
  const navs: number[] = [], benchReturns: (number | null)[] = [], navDates: string[] = [];
  const recordByDate = new Map(records.map((r) => [r.date, r]));

  for (let i = 0; i < dates.length; i++) {
    const date = dates[i];
    const b = bundles[i];
    const sink: string[] = [];
    if (!b) {
      if (replaying) {
        l.check(failures, "replay.gap", false, () => `${date}: no settled day, so the replay stops here`);
      }
      replaying = false;
      continue;
    }
    l.same(sink, "day.date", date, b.date, date, { word: "asked" });
    l.same(sink, "day.strategy", date, b.strategy, slug, { word: "asked" });
    // Parameters as published with the day.
    for (const name of PARAMETER_NAMES) {
      l.same(sink, `parameters.${name}`, `${date} /verify`, b.parameters?.[name], params[name], {
        word: "/track-record",
      });
    }
    const prov = b.data_provenance;
    l.same(
      sink,
      "parameters.execution_price",
      `${date} data_provenance`,
      prov?.execution_price,
      params.execution_price,
      { word: "parameters" },
    );
    l.same(
      sink,
      "parameters.commission_rate",
      `${date} data_provenance`,
      prov?.commission_rate,
      params.commission_rate,
      { word: "parameters" },
    );
    l.same(
      sink,
      "parameters.slippage_rate",
      `${date} data_provenance`,
      prov?.slippage_rate,
      params.slippage_rate,
      { word: "parameters" },
    );
    l.same(sink, "parameters.lot_size", `${date} data_provenance`, prov?.lot_size, params.lot_size, {
      word: "parameters",
    });
    l.same(
      sink,
      "parameters.holding_period",
      `${date} data_provenance`,
      prov?.holding_period,
      params.holding_period,
      { word: "parameters" },
    );

    // The signal.
    const deadline = Date.parse(`${date}T${DEADLINE_TIME[params.execution_price]}:00+08:00`);
    let weights: { symbol: string; weight: number }[] | null = null;
    const s = b.signal;
    if (s) {
      weights = weightsByDay.get(date) ?? null;
      l.check(
        sink,
        "signal.canonical_json",
        weights !== null,
        () => `${date}: canonical_json is not a signal`,
      );
      let canonical: string | null = null;
      try {
        canonical = canonicalSignalJson(slug, date, Array.isArray(s.signals) ? s.signals : []);
      } catch { /* reported below */ }
      l.same(sink, "signal.canonical_json", `${date} canonical_json`, s.canonical_json, canonical, {
        word: "canonical form of the signals",
      });
      if (weights) {
        l.same(
          sink,
          "signal.canonical_json",
          `${date} canonical_json`,
          s.canonical_json,
          canonicalSignalJson(slug, date, weights),
          { word: "canonical form" },
        );
      }
      l.same(
        sink,
        "signal.hash",
        `${date} signal_hash`,
        s.signal_hash,
        await sha256Hex(String(s.canonical_json)),
        { word: "SHA-256(canonical_json)" },
      );
      l.same(sink, "signal.deadline", `${date} deadline_at`, Date.parse(s.deadline_at), deadline, {
        integer: true,
        word: "the rule's",
      });
      l.check(
        sink,
        "signal.submitted",
        Date.parse(s.submitted_at) < deadline,
        () =>
          `${date}: submitted at ${s.submitted_at}, not before the deadline ${
            new Date(deadline).toISOString()
          }`,
      );
      const a = b.verification?.signal_attestation;
      l.same(
        sink,
        "signal.attestation",
        `${date} signal_attestation.signal_hash`,
        a?.signal_hash,
        s.signal_hash,
        { word: "signal" },
      );
      l.same(
        sink,
        "signal.attestation",
        `${date} signal_attestation.canonical_json`,
        a?.canonical_json,
        s.canonical_json,
        { word: "signal" },
      );
      const cp = await checkInclusion(
        ctx,
        sink,
        "log",
        `${date} signal`,
        s.log?.inclusion_proof,
        s.signal_hash,
      );
      if (cp) {
        l.check(
          sink,
          "log.checkpoint",
          cp.timestamp < deadline,
          () =>
            `${date}: the signal's checkpoint is dated ${
              new Date(cp.timestamp).toISOString()
            }, not before the deadline`,
        );
        l.same(sink, "log.origin", `${date} signal.log.origin`, s.log?.origin, params.log_origin, {
          word: "parameters.log_origin",
        });
        const c = s.log?.consistency_proof;
        if (c && c.first === cp.tree_size) ctx.published.set(`${c.first}:${c.second}`, c);
        if (witnesses.length > 0) {
          await checkWitnesses(
            ctx,
            sink,
            date,
            cp,
            s.log?.witnessed_inclusion_proof,
            s.signal_hash,
            deadline,
            witnesses,
            required,
          );
        }
      }
    } else {
      l.check(
        sink,
        "signal.attestation",
        !b.verification?.signal_attestation,
        () => `${date}: an attestation without a signal`,
      );
    }

    // The replay.
    const convention = b.dividend_convention === "none" && !sawDividendConvention
      ? "none"
      : "cash_on_ex_date_no_tax";
    if (b.dividend_convention !== "none") sawDividendConvention = true;
    const benchClose = benchBars.close(date);
    const prevBench = calendar[calendar.indexOf(date) - 1];
    const prevClose = prevBench === undefined ? null : benchBars.close(prevBench);
    const benchmark = {
      symbol: params.benchmark,
      close: benchClose,
      return: benchClose !== null && prevClose !== null ? benchClose / prevClose - 1 : null,
    };
    if (replaying) {
      const replayed = replayDay({
        date,
        state,
        signal: s ? weights ?? [] : null,
        bar: (symbol) => (bars.get(symbol) ?? noBars).bar(date),
        tradingDaysSince: (from) => tradingDaysBetween(calendar, from, date),
        creditDividends: convention !== "none",
        parameters: params,
      });
      await compareDay(l, sink, b, { replayed, prevNav, benchmark, dividendConvention: convention });
      state = replayed.state;
      prevNav = replayed.nav;
    }
    // The published cash flow adds up on its own: opening cash + dividends − buys − fees + sells = cash.
    if (b.dividend_convention !== "none") {
      let flow = publishedCash;
      for (const d of Array.isArray(b.dividends) ? b.dividends : []) flow += d.cash;
      for (const t of Array.isArray(b.trades) ? b.trades : []) {
        flow += t.action === "BUY" ? -t.notional - t.commission : t.notional - t.commission;
      }
      l.same(sink, "cash.flow", `${date} cash`, b.cash, flow, {
        word: "opening cash + dividends − buys − fees + sells",
      });
    } else {
      l.check(
        sink,
        "dividend.convention",
        !(Array.isArray(b.dividends) && b.dividends.length > 0),
        () => `${date}: dividends credited on a day whose dividend_convention is none`,
      );
    }
    publishedCash = b.cash;
    navs.push(b.nav);
    benchReturns.push(b.benchmark?.return ?? null);
    navDates.push(date);

    // The chain. A legacy day (settled before the chain, `record_chain: null`) has no stored hash, but its hash
    // is defined by the same rule: it is rebuilt here from its published fields, so the chain runs from genesis.
    const chain = b.record_chain;
    const link = prevHash ?? GENESIS_HASH;
    if (chain === null || chain === undefined) {
      l.check(sink, "chain.missing", !chained, () => `${date}: no record_chain after chained days`);
      try {
        prevHash = await sha256Hex(canonicalDayRecord(slug, b, params, link));
      } catch {
        l.check(
          sink,
          "chain.canonical_json",
          false,
          () => `${date}: the published day has no canonical record`,
        );
        prevHash = null;
      }
    } else {
      chained = true;
      let rebuilt: string | null = null;
      try {
        rebuilt = canonicalDayRecord(slug, b, params, link);
      } catch { /* reported below */ }
      l.same(
        sink,
        "chain.canonical_json",
        `${date} record_chain.canonical_json`,
        chain.canonical_json,
        rebuilt,
        {
          word: "rebuilt from the published day",
        },
      );
      l.same(
        sink,
        "chain.record_hash",
        `${date} record_hash`,
        chain.record_hash,
        await sha256Hex(String(chain.canonical_json)),
        {
          word: "SHA-256(canonical_json)",
        },
      );
      l.same(sink, "chain.prev_record_hash", `${date} prev_record_hash`, chain.prev_record_hash, link, {
        word: "previous day's record_hash",
      });
      if (l.check(sink, "chain.log", !!chain.log, () => `${date}: the record hash is not in the log`)) {
        await checkInclusion(
          ctx,
          sink,
          "chain",
          `${date} record`,
          chain.log!.inclusion_proof,
          chain.record_hash,
        );
        l.same(
          sink,
          "chain.origin",
          `${date} record_chain.log.origin`,
          chain.log!.origin,
          params.log_origin,
          {
            word: "parameters.log_origin",
          },
        );
      }
      prevHash = chain.record_hash;
    }

    // The day's row of /track-record.
    const r = recordByDate.get(date);
    if (r) {
      l.same(sink, "track_record.nav_value", date, r.nav_value, b.nav, { word: "/verify" });
      l.same(sink, "track_record.nav", date, r.nav, b.nav / params.initial_capital, {
        word: "nav_value / initial_capital",
      });
      l.same(
        sink,
        "track_record.daily_return",
        date,
        r.daily_return,
        b.nav / (navs.length > 1 ? navs[navs.length - 2] : params.initial_capital) - 1,
        { word: "from the NAVs" },
      );
      l.same(
        sink,
        "track_record.cumulative_return",
        date,
        r.cumulative_return,
        b.nav / params.initial_capital - 1,
        { word: "from the NAV" },
      );
      l.same(sink, "track_record.benchmark_return", date, r.benchmark_return, benchmark.return, {
        word: "from bars",
      });
      l.same(sink, "track_record.record_hash", date, r.record_hash ?? null, chain?.record_hash ?? null, {
        word: "/verify",
      });
    }
    days.push({
      date,
      ok: sink.length === 0,
      failures: sink,
      nav: b.nav,
      signal_hash: s?.signal_hash ?? null,
    });
  }

  // Legacy days (settled before the chain) come first; the latest day is always chained.
  const lastDay = days.at(-1);
  if (lastDay) {
    l.check(
      lastDay.failures,
      "chain.missing",
      chained && prevHash !== null,
      () => `${lastDay.date}: the latest settled day has no record_chain`,
    );
    lastDay.ok = lastDay.failures.length === 0;
  }

  // /performance from the verified NAVs.
  const perf = await api.get<PerformanceAnswer>(`${base}/performance`);
  const mine = performanceOf(navs, benchReturns, navDates, params.initial_capital);
  for (const name of METRIC_NAMES) {
    l.same(
      failures,
      `performance.${name}`,
      `metrics.${name}`,
      perf.metrics?.[name] ?? null,
      mine.metrics[name],
      { word: "recomputed" },
    );
    l.same(failures, `performance.${name}`, name, perf[name] ?? null, mine.metrics[name], {
      word: "recomputed",
    });
  }
  const rolling = Array.isArray(perf.rolling_excess_sharpe) ? perf.rolling_excess_sharpe : [];
  l.same(failures, "performance.rolling_excess_sharpe", "windows", rolling.length, mine.rolling.length, {
    integer: true,
    word: "recomputed",
  });
  for (let i = 0; i < Math.min(rolling.length, mine.rolling.length); i++) {
    l.same(
      failures,
      "performance.rolling_excess_sharpe",
      `window ending ${mine.rolling[i].date}`,
      `${rolling[i]?.date}`,
      mine.rolling[i].date,
      { word: "recomputed" },
    );
    l.same(
      failures,
      "performance.rolling_excess_sharpe",
      `window ending ${mine.rolling[i].date}`,
      rolling[i]?.value ?? null,
      mine.rolling[i].value,
      { word: "recomputed" },
    );
  }
  for (const [name, value] of Object.entries(CONVENTIONS)) {
    l.same(failures, "performance.conventions", `conventions.${name}`, perf.conventions?.[name], value, {
      word: "the verifier's",
    });
  }

  // The log as a whole: every checkpoint seen is consistent with the final head; the checkpoint list.
  const head = await api.get<PublishedCheckpoint>(`/public/log/checkpoint?log=${logName}`);
  const finalProblem = await checkpointProblem(head, key);
  l.check(failures, "log.head", finalProblem === null, () => `the log's head: ${finalProblem}`);
  ctx.seen.set(firstHead.tree_size, ctx.seen.get(firstHead.tree_size) ?? firstHead);
  if (finalProblem === null) {
    await checkConsistencyToHead(ctx, failures, head);
    await checkCheckpointList(ctx, failures, head);
  }
  if (opts.expect) completeness(l, failures, days, opts.expect);
  return headSummary(head);
}

function headSummary(h: PublishedCheckpoint): RecordVerdict["log"] {
  return { origin: h.origin, key_id: h.key_id, tree_size: h.tree_size, root_hash: h.root_hash };
}

/** Checks that the record reaches `e.through` with the expected numbers of settled and signal days. */
function completeness(l: Ledger, failures: string[], days: DayResult[], e: RecordExpectation): void {
  const upTo = days.filter((d) => d.date <= e.through);
  const last = upTo.at(-1)?.date ?? null;
  const check = (ok: boolean, what: () => string) =>
    l.check(failures, "completeness", ok, () => `incomplete record: ${what()}`);
  if (e.first_day !== undefined) {
    check(
      upTo[0]?.date === e.first_day,
      () => `the first settled day is ${upTo[0]?.date ?? "missing"}, expected ${e.first_day}`,
    );
  }
  check(last === e.through, () => `settled through ${last ?? "no day"}, expected through ${e.through}`);
  if (e.settled_days !== undefined) {
    check(
      upTo.length === e.settled_days,
      () => `${upTo.length} settled days through ${e.through}, expected ${e.settled_days}`,
    );
  }
  const signals = upTo.filter((d) => d.signal_hash).length;
  if (e.signal_days !== undefined) {
    check(
      signals === e.signal_days,
      () => `${signals} days with a signal through ${e.through}, expected ${e.signal_days}`,
    );
  }
}
