/**
 * Checks of the record's own figures that need no bars: the published parameters (on `/track-record`, with each
 * day and in each day's `data_provenance`), each day's cash flow, each `/track-record` row against `/verify`,
 * `/performance` recomputed from the published (and otherwise verified) NAVs, and the completeness options.
 */
import type { Ledger } from "./checks.ts";
import { type Metrics, performanceOf } from "./metrics.ts";
import type { Parameters, PerformanceAnswer, TrackRecordAnswer, VerifyAnswer } from "./shapes.ts";

/** What a complete record holds through `through` (the record may go on after it). */
export interface RecordExpectation {
  through: string;
  first_day?: string;
  settled_days?: number;
  signal_days?: number;
}

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

/** The parameters each day's `data_provenance` repeats. */
const PROVENANCE_NAMES = [
  "execution_price",
  "commission_rate",
  "slippage_rate",
  "lot_size",
  "holding_period",
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

/** What is wrong with the published parameters (a short name), or `null`. */
export function parametersProblem(p: Parameters | undefined): string | null {
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

/** Checks `/track-record`'s parameters; returns them when a replay can rest on them, else `null`. */
export function checkRecordParameters(
  l: Ledger,
  failures: string[],
  slug: string,
  track: TrackRecordAnswer,
): Parameters | null {
  const params = track.parameters;
  const problem = parametersProblem(params);
  l.check(failures, "parameters.missing", problem === null, () => `${slug}: ${problem}`);
  if (problem !== null || !params) return null;
  const word = { word: "parameters" };
  l.same(
    failures,
    "parameters.initial_capital",
    "track-record initial_capital",
    track.initial_capital,
    params.initial_capital,
    word,
  );
  l.same(failures, "parameters.benchmark", "track-record benchmark", track.benchmark, params.benchmark, word);
  l.same(
    failures,
    "parameters.dividend_convention",
    slug,
    params.dividend_convention,
    "cash_on_ex_date_no_tax",
    {
      word: "documented",
    },
  );
  return params;
}

/** A day's header: its date and strategy as asked, its parameters and `data_provenance` as `/track-record`'s. */
export function checkDayHeader(
  l: Ledger,
  sink: string[],
  slug: string,
  date: string,
  b: VerifyAnswer,
  params: Parameters,
): void {
  l.same(sink, "day.date", date, b.date, date, { word: "asked" });
  l.same(sink, "day.strategy", date, b.strategy, slug, { word: "asked" });
  for (const name of PARAMETER_NAMES) {
    l.same(sink, `parameters.${name}`, `${date} /verify`, b.parameters?.[name], params[name], {
      word: "/track-record",
    });
  }
  for (const name of PROVENANCE_NAMES) {
    l.same(sink, `parameters.${name}`, `${date} data_provenance`, b.data_provenance?.[name], params[name], {
      word: "parameters",
    });
  }
}

/**
 * The published cash flow adds up on its own: opening cash + dividends − buys − fees + sells = cash (a day under
 * `dividend_convention: none` credits no dividend). Returns the day's published cash.
 */
export function checkCashFlow(
  l: Ledger,
  sink: string[],
  date: string,
  b: VerifyAnswer,
  openingCash: number,
): number {
  if (b.dividend_convention !== "none") {
    let flow = openingCash;
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
  return b.cash;
}

/** A `/track-record` row against its `/verify` day (all but the benchmark return, which needs bars). */
export function checkTrackRow(
  l: Ledger,
  sink: string[],
  r: TrackRecordAnswer["records"][number],
  b: VerifyAnswer,
  prevNav: number,
  params: Parameters,
): void {
  const date = r.date;
  l.same(sink, "track_record.nav_value", date, r.nav_value, b.nav, { word: "/verify" });
  l.same(sink, "track_record.nav", date, r.nav, b.nav / params.initial_capital, {
    word: "nav_value / initial_capital",
  });
  l.same(sink, "track_record.daily_return", date, r.daily_return, b.nav / prevNav - 1, {
    word: "from the NAVs",
  });
  l.same(
    sink,
    "track_record.cumulative_return",
    date,
    r.cumulative_return,
    b.nav / params.initial_capital - 1,
    {
      word: "from the NAV",
    },
  );
  l.same(sink, "track_record.record_hash", date, r.record_hash ?? null, b.record_chain?.record_hash ?? null, {
    word: "/verify",
  });
}

/** `/performance`: every metric, rolling window and convention recomputed from the days' NAVs. */
export function checkPerformance(
  l: Ledger,
  failures: string[],
  perf: PerformanceAnswer,
  navs: number[],
  benchReturns: (number | null)[],
  navDates: string[],
  initialCapital: number,
): void {
  const mine = performanceOf(navs, benchReturns, navDates, initialCapital);
  const word = { word: "recomputed" };
  for (const name of METRIC_NAMES) {
    l.same(
      failures,
      `performance.${name}`,
      `metrics.${name}`,
      perf.metrics?.[name] ?? null,
      mine.metrics[name],
      word,
    );
    l.same(failures, `performance.${name}`, name, perf[name] ?? null, mine.metrics[name], word);
  }
  const kind = "performance.rolling_excess_sharpe";
  const rolling = Array.isArray(perf.rolling_excess_sharpe) ? perf.rolling_excess_sharpe : [];
  l.same(failures, kind, "windows", rolling.length, mine.rolling.length, { integer: true, ...word });
  for (let i = 0; i < Math.min(rolling.length, mine.rolling.length); i++) {
    const where = `window ending ${mine.rolling[i].date}`;
    l.same(failures, kind, where, `${rolling[i]?.date}`, mine.rolling[i].date, word);
    l.same(failures, kind, where, rolling[i]?.value ?? null, mine.rolling[i].value, word);
  }
  for (const [name, value] of Object.entries(CONVENTIONS)) {
    l.same(failures, "performance.conventions", `conventions.${name}`, perf.conventions?.[name], value, {
      word: "the verifier's",
    });
  }
}

/** Checks that the record reaches `e.through` with the expected numbers of settled and signal days. */
export function checkCompleteness(
  l: Ledger,
  failures: string[],
  days: { date: string; signal_hash: string | null }[],
  e: RecordExpectation,
): void {
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
