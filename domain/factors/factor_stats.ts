/**
 * The statistics of factor validation (issue 15, "Submit for Validation"): pure functions on a date × symbol
 * panel, no I/O. The caller assembles the panel from the uploaded (or computed) factor values and the
 * platform's own close prices; the result is the `is` block, the five checks and the three series of the
 * factor detail.
 *
 * ## The panel
 * `dates` are the panel's trading days, sorted ascending, `YYYY-MM-DD`, no duplicates (D of them); `symbols` the
 * names (N, no duplicates); `values` and `close` are `Float64Array(D × N)`, row-major by date
 * (`x[t × N + j]` = date t, symbol j), NaN (or ±Infinity) = missing. A close that is missing, zero or negative is
 * unusable.
 * "Day t+1" is the next row of the panel, so the panel must hold every trading day of its span.
 *
 * ## Conventions (also in {@link FACTOR_STATS_CONVENTIONS}, which the response can carry verbatim)
 * - **Forward return, delay 1**: the factor at date t predicts the close-to-close return from t+1 to t+2,
 *   `fwd[t] = close[t+2] / close[t+1] − 1`; NaN when either close is unusable or t+2 is past the panel.
 * - **Rank IC** of date t: Spearman correlation between the factor row t and the forward returns of t, missing
 *   values removed pairwise, average ranks for ties; undefined (left out of every statistic and of `ic_series`)
 *   with fewer than 3 pairs or when either side is constant.
 * - **IC mean** = mean of the defined daily ICs; **IC std** = their sample standard deviation (ddof 1);
 *   **IC IR** = mean / std, undefined with fewer than 2 ICs or std 0. Not annualised.
 * - **IC decay** lag k (1..5): IC mean of the factor at t against the return from t+k to t+k+1 (lag 1 = IC).
 * - **Coverage** of date t: names with a finite factor value among the names with a usable close that day;
 *   averaged over the dates with at least one usable close.
 * - **data_days**: dates with at least one finite factor value (the DATA_COVERAGE check counts these).
 * - **Quintile legs** of a cross-section of n names (n ≥ 5) with average ranks r (1 = lowest value): long (top)
 *   when 5·(n − r) < n, short (bottom) when 5·(r − 1) < n. Without ties each leg has ⌈n/5⌉ names; a tie group
 *   is never split (its average rank places all of it in or out), so the rule does not depend on symbol order.
 * - **Long-short** of date t: legs on the names with both a factor value at t and a forward return (the IC's
 *   pairs); return = equal-weighted mean forward return of the long leg − that of the short leg; undefined when
 *   n < 5 or a leg is empty (a constant day). Rebalanced daily. `ls_cumulative_returns` lists the defined days,
 *   labelled with the factor date t, `cumulative` = ∏(1 + ls_return) from 1.
 * - **Annualised return** = mean daily LS return × 252; **Sharpe** = mean / sample std × √252 (undefined with
 *   fewer than 2 LS days or std 0).
 * - **Turnover** of date t: legs formed on all names with a factor value (no return needed: turnover is a
 *   property of the factor); for each leg L, |L_t Δ L_{t−1}| / (|L_t| + |L_{t−1}|), averaged over the two legs;
 *   `turnover` = mean over the dates where both t and the previous panel date have legs. With legs of constant
 *   size |Q| this is |Q_t Δ Q_{t−1}| / (2|Q|) = the share of the leg's names replaced = the one-way weight
 *   turnover of the equal-weighted leg, i.e. exactly what trading the long-short costs; it is in [0, 1] and
 *   reads the same on any universe size. (1 − rank autocorrelation also moves with mid-ranked names that are
 *   never traded; the long-short weight turnover is the same number up to the leg-size convention.)
 * - **Fitness** = Sharpe × √(|annualised return| / max(turnover, 0.02)).
 * - **Correlation with another factor**: the daily Spearman correlation of the two factor rows (pairwise
 *   removal, average ranks), averaged over the dates where it is defined. **max_correlation** = the largest
 *   |correlation| (a sign-flipped copy is as redundant as the copy, just as the IC checks use |IC|); null
 *   without other factors or defined correlations, which passes SELF_CORRELATION.
 * - **Checks**: IC_MEAN |ic_mean| > 0.015, IC_IR |ic_ir| > 0.15, HIGH_TURNOVER turnover < 0.35,
 *   SELF_CORRELATION max_correlation < 0.7, DATA_COVERAGE data_days ≥ 120. An undefined metric fails its
 *   check (except SELF_CORRELATION, above).
 * - **yearly_stats** per calendar year of the factor date t: ic_mean, ic_ir of that year's ICs, `returns` =
 *   ∏(1 + ls_return) − 1 of its LS days, `drawdown` = the largest fall (positive) of that compounded curve from
 *   its running peak (starting at 1), `turnover` = mean daily turnover of its dates, `days` = its defined ICs;
 *   a year with no defined IC, long-short day or turnover (only forward-return days past the last factor date)
 *   is left out.
 * - Undefined statistics are `null` in the result, never NaN or Infinity.
 */
import { rankRow, rankScratch, type SortedRows, sortRows, spearmanRows } from "./cross_section_ranks.ts";

/** Trading days a year used to annualise. */
const YEAR = 252;
/** IC decay lags (1..IC_DECAY_LAGS). */
const IC_DECAY_LAGS = 5;
/** Fewest names a day needs for quintile legs. */
const MIN_LEG_NAMES = 5;

/** The document's thresholds of the five checks. */
export const FACTOR_CHECK_THRESHOLDS = {
  ic_mean: 0.015,
  ic_ir: 0.15,
  turnover: 0.35,
  self_correlation: 0.7,
  data_days: 120,
  /** Fitness's turnover floor. */
  turnover_floor: 0.02,
} as const;

/** Every convention of the statistics in words, for the README and the validation response. */
export const FACTOR_STATS_CONVENTIONS = {
  forward_return:
    "delay 1: the factor at date T predicts the close-to-close return from T+1 to T+2 on the platform's prices; missing or non-positive closes give no return",
  ic:
    "Spearman rank correlation per date (Pearson on average ranks, ties averaged), missing values removed pairwise; undefined with fewer than 3 pairs or a constant side",
  ic_ir: "mean of the daily ICs / their sample standard deviation (ddof 1); not annualised",
  ic_decay: "IC mean at lags 1..5: factor at T against the return from T+k to T+k+1",
  coverage: "per date, names with a factor value among names with a price; averaged over dates with prices",
  quintiles:
    "n >= 5 names ranked (average ranks r, 1 = lowest): top when 5(n - r) < n, bottom when 5(r - 1) < n; ties never split",
  long_short:
    "daily rebalanced, equal-weighted top quintile minus bottom quintile on the 1-day forward return; annualised return = mean x 252, Sharpe = mean / sample std x sqrt(252)",
  turnover:
    "per date and leg |L_t symmetric-difference L_t-1| / (|L_t| + |L_t-1|) on all names with a factor value, averaged over the two legs and over dates (share of a leg's names replaced per day)",
  fitness: "Sharpe x sqrt(|annualised return| / max(turnover, 0.02))",
  correlation:
    "daily Spearman correlation of the two factors' values, averaged over dates; max_correlation is the largest absolute value",
  data_days: "dates with at least one factor value",
} as const;

/** A date × symbol panel of factor values and close prices (see the module comment). */
export interface FactorPanel {
  readonly dates: readonly string[];
  readonly symbols: readonly string[];
  /** Factor values, `Float64Array(dates × symbols)` row-major by date, NaN missing. */
  readonly values: Float64Array;
  /** Close prices, same shape; NaN, zero or negative = no price. */
  readonly close: Float64Array;
}

/** One of the five checks. */
export interface FactorCheck {
  name: "IC_MEAN" | "IC_IR" | "HIGH_TURNOVER" | "SELF_CORRELATION" | "DATA_COVERAGE";
  metric: "abs(ic_mean)" | "abs(ic_ir)" | "turnover" | "max_correlation" | "data_days";
  value: number | null;
  threshold: number;
  passed: boolean;
}

/** One calendar year of {@link FactorStats.yearly_stats}. */
export interface FactorYearStats {
  year: number;
  ic_mean: number | null;
  ic_ir: number | null;
  returns: number | null;
  drawdown: number | null;
  turnover: number | null;
  days: number;
}

/** Everything validation computes. */
export interface FactorStats {
  ic_mean: number | null;
  ic_std: number | null;
  ic_ir: number | null;
  /** Dates with a defined IC. */
  ic_days: number;
  /** IC mean at lags 1..5. */
  ic_decay: (number | null)[];
  coverage: number | null;
  data_days: number;
  turnover: number | null;
  annualised_return: number | null;
  sharpe: number | null;
  fitness: number | null;
  /** Mean daily Spearman correlation with each of `others`, in their order. */
  correlations: (number | null)[];
  max_correlation: number | null;
  checks: FactorCheck[];
  /** All five checks passed. */
  passed: boolean;
  ic_series: { date: string; ic: number }[];
  ls_cumulative_returns: { date: string; ls_return: number; cumulative: number }[];
  yearly_stats: FactorYearStats[];
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Throws a RangeError naming the first shape problem of a panel. */
function checkShape(dates: readonly string[], symbols: readonly string[], arrays: [string, Float64Array][]) {
  const D = dates.length, N = symbols.length;
  if (N === 0) throw new RangeError("factor panel: no symbols");
  for (let t = 0; t < D; t++) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dates[t])) {
      throw new RangeError(`factor panel: dates[${t}] = ${JSON.stringify(dates[t])} is not YYYY-MM-DD`);
    }
    if (t > 0 && !(dates[t - 1] < dates[t])) {
      throw new RangeError(`factor panel: dates must be strictly increasing (dates[${t}] = ${dates[t]})`);
    }
  }
  if (new Set(symbols).size !== N) throw new RangeError("factor panel: duplicate symbols");
  for (const [name, a] of arrays) {
    if (a.length !== D * N) {
      throw new RangeError(
        `factor panel: ${name} has ${a.length} values, expected dates × symbols = ${D} × ${N} = ${D * N}`,
      );
    }
  }
}

/** The one-day returns close[s+1]/close[s] − 1 in row s (last row NaN), NaN where a close is unusable. */
function oneDayReturns(close: Float64Array, days: number, symbols: number): Float64Array {
  const r = new Float64Array(days * symbols).fill(NaN);
  for (let s = 0; s + 1 < days; s++) {
    const a = s * symbols, b = a + symbols;
    for (let j = 0; j < symbols; j++) {
      const p0 = close[a + j], p1 = close[b + j];
      if (p0 > 0 && p1 > 0 && Number.isFinite(p0) && Number.isFinite(p1)) r[a + j] = p1 / p0 - 1;
    }
  }
  return r;
}

/**
 * Forward returns at `lag` (≥ 1; 1 = delay 1): `fwd[t × N + j] = close[t+lag+1] / close[t+lag] − 1` for symbol j,
 * NaN when either close is missing, non-positive or past the panel. `close` is `days × symbols` row-major.
 */
export function forwardReturns(close: Float64Array, days: number, symbols: number, lag = 1): Float64Array {
  if (!Number.isInteger(lag) || lag < 1) throw new RangeError(`forwardReturns: lag must be an integer ≥ 1`);
  if (close.length !== days * symbols) {
    throw new RangeError(`forwardReturns: close has ${close.length} values, expected ${days * symbols}`);
  }
  const r = oneDayReturns(close, days, symbols);
  const out = new Float64Array(days * symbols).fill(NaN);
  const shift = lag * symbols;
  for (let i = 0; i + shift < r.length; i++) out[i] = r[i + shift];
  return out;
}

/** Mean, sample std (ddof 1), IR = mean/std and count of the finite entries of `x`; NaN where undefined. */
export function icSummary(x: ArrayLike<number>): { mean: number; std: number; ir: number; days: number } {
  let n = 0, s = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) {
      n++;
      s += x[i];
    }
  }
  const mean = n > 0 ? s / n : NaN;
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) ss += (x[i] - mean) ** 2;
  const std = n >= 2 ? Math.sqrt(ss / (n - 1)) : NaN;
  const ir = n >= 2 && std > 0 ? mean / std : NaN;
  return { mean, std, ir, days: n };
}

/**
 * Daily rank IC at `lag` (1 = delay 1): entry t is the Spearman correlation of factor row t with the return
 * from t+lag to t+lag+1, NaN where undefined.
 */
export function dailyRankIc(panel: FactorPanel, lag = 1): Float64Array {
  const D = panel.dates.length, N = panel.symbols.length;
  checkShape(panel.dates, panel.symbols, [["values", panel.values], ["close", panel.close]]);
  if (!Number.isInteger(lag) || lag < 1) throw new RangeError(`dailyRankIc: lag must be an integer ≥ 1`);
  const fac = sortRows(panel.values, D, N);
  const ret = sortRows(oneDayReturns(panel.close, D, N), D, N);
  const s = rankScratch(N);
  const o = { rho: NaN, n: 0 };
  const ic = new Float64Array(D).fill(NaN);
  for (let t = 0; t + lag < D; t++) {
    spearmanRows(fac, t, ret, t + lag, s, o);
    ic[t] = o.rho;
  }
  return ic;
}

/** Mean daily Spearman correlation of two factor panels on the same grid (NaN when never defined). */
function meanDailyCorrelation(a: SortedRows, b: SortedRows, days: number, s: ReturnType<typeof rankScratch>) {
  const o = { rho: NaN, n: 0 };
  let sum = 0, n = 0;
  for (let t = 0; t < days; t++) {
    spearmanRows(a, t, b, t, s, o);
    if (Number.isFinite(o.rho)) {
      sum += o.rho;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * The whole validation of one factor: every statistic, the five checks and the three series. `others` are the
 * values of the factors to correlate with (the owner's active factors), each on the same dates × symbols grid.
 */
export function validateFactorStats(panel: FactorPanel, others: readonly Float64Array[] = []): FactorStats {
  const { dates, symbols, values, close } = panel;
  const D = dates.length, N = symbols.length;
  checkShape(dates, symbols, [
    ["values", values],
    ["close", close],
    ...others.map((o, i): [string, Float64Array] => [`others[${i}]`, o]),
  ]);

  const r1 = oneDayReturns(close, D, N); // row s: return from s to s+1
  const fac = sortRows(values, D, N);
  const ret = sortRows(r1, D, N);
  const s = rankScratch(N);
  const o = { rho: NaN, n: 0 };

  const ic = new Float64Array(D).fill(NaN);
  const decaySum = new Float64Array(IC_DECAY_LAGS), decayN = new Float64Array(IC_DECAY_LAGS);
  const ls = new Float64Array(D).fill(NaN);
  const turn = new Float64Array(D).fill(NaN);
  const rankF = new Float64Array(N);
  let memb = new Int8Array(N), prev = new Int8Array(N);
  let prevHasLegs = false;
  let coverageSum = 0, coverageDays = 0, dataDays = 0;

  for (let t = 0; t < D; t++) {
    const off = t * N;
    // Coverage and data days.
    let priced = 0, covered = 0, any = 0;
    for (let j = 0; j < N; j++) {
      const f = Number.isFinite(values[off + j]);
      if (f) any = 1;
      const p = close[off + j];
      if (p > 0 && Number.isFinite(p)) {
        priced++;
        if (f) covered++;
      }
    }
    dataDays += any;
    if (priced > 0) {
      coverageSum += covered / priced;
      coverageDays++;
    }

    // IC (lag 1) and the long-short on its pairs.
    if (t + 1 < D) {
      spearmanRows(fac, t, ret, t + 1, s, o);
      ic[t] = o.rho;
      if (Number.isFinite(o.rho)) {
        decaySum[0] += o.rho;
        decayN[0]++;
      }
      const n = o.n;
      if (n >= MIN_LEG_NAMES) {
        // spearmanRows ranked the factor over the kept pairs into s.rx (n ≥ 3 always ranks).
        let longSum = 0, longN = 0, shortSum = 0, shortN = 0;
        const rOff = (t + 1) * N;
        for (let q = 0; q < n; q++) {
          const j = s.kept[q];
          const r = s.rx[j];
          if (5 * (n - r) < n) {
            longSum += r1[rOff + j];
            longN++;
          } else if (5 * (r - 1) < n) {
            shortSum += r1[rOff + j];
            shortN++;
          }
        }
        if (longN > 0 && shortN > 0) ls[t] = longSum / longN - shortSum / shortN;
      }
    }
    // IC decay lags 2..5.
    for (let k = 2; k <= IC_DECAY_LAGS && t + k < D; k++) {
      spearmanRows(fac, t, ret, t + k, s, o);
      if (Number.isFinite(o.rho)) {
        decaySum[k - 1] += o.rho;
        decayN[k - 1]++;
      }
    }

    // Turnover: legs on all names with a factor value.
    const n = rankRow(fac, t, null, rankF, s.idx);
    memb.fill(0);
    let top = 0, bottom = 0;
    if (n >= MIN_LEG_NAMES) {
      for (let p = fac.start[t]; p < fac.start[t + 1]; p++) {
        const j = fac.order[p];
        const r = rankF[j];
        if (5 * (n - r) < n) {
          memb[j] = 1;
          top++;
        } else if (5 * (r - 1) < n) {
          memb[j] = -1;
          bottom++;
        }
      }
    }
    const hasLegs = top > 0 && bottom > 0;
    if (hasLegs && prevHasLegs) {
      let topNow = 0, topBefore = 0, topBoth = 0, botNow = 0, botBefore = 0, botBoth = 0;
      for (let j = 0; j < N; j++) {
        const a = memb[j], b = prev[j];
        if (a === 1) topNow++;
        if (b === 1) topBefore++;
        if (a === 1 && b === 1) topBoth++;
        if (a === -1) botNow++;
        if (b === -1) botBefore++;
        if (a === -1 && b === -1) botBoth++;
      }
      const topT = (topNow + topBefore - 2 * topBoth) / (topNow + topBefore);
      const botT = (botNow + botBefore - 2 * botBoth) / (botNow + botBefore);
      turn[t] = (topT + botT) / 2;
    }
    prevHasLegs = hasLegs;
    const swap = prev;
    prev = memb;
    memb = swap;
  }

  const icS = icSummary(ic);
  const lsS = icSummary(ls);
  const turnover = icSummary(turn).mean;
  const annualised = lsS.mean * YEAR;
  const sharpe = lsS.days >= 2 && lsS.std > 0 ? (lsS.mean / lsS.std) * Math.sqrt(YEAR) : NaN;
  const fitness = sharpe *
    Math.sqrt(Math.abs(annualised) / Math.max(turnover, FACTOR_CHECK_THRESHOLDS.turnover_floor));

  const correlations = others.map((other) => meanDailyCorrelation(fac, sortRows(other, D, N), D, s));
  let maxCorr = NaN;
  for (const c of correlations) if (Number.isFinite(c) && !(Math.abs(c) <= maxCorr)) maxCorr = Math.abs(c);

  const th = FACTOR_CHECK_THRESHOLDS;
  const checks: FactorCheck[] = [
    {
      name: "IC_MEAN",
      metric: "abs(ic_mean)",
      value: orNull(Math.abs(icS.mean)),
      threshold: th.ic_mean,
      passed: Math.abs(icS.mean) > th.ic_mean,
    },
    {
      name: "IC_IR",
      metric: "abs(ic_ir)",
      value: orNull(Math.abs(icS.ir)),
      threshold: th.ic_ir,
      passed: Math.abs(icS.ir) > th.ic_ir,
    },
    {
      name: "HIGH_TURNOVER",
      metric: "turnover",
      value: orNull(turnover),
      threshold: th.turnover,
      passed: turnover < th.turnover,
    },
    {
      name: "SELF_CORRELATION",
      metric: "max_correlation",
      value: orNull(maxCorr),
      threshold: th.self_correlation,
      passed: !(maxCorr >= th.self_correlation),
    },
    {
      name: "DATA_COVERAGE",
      metric: "data_days",
      value: dataDays,
      threshold: th.data_days,
      passed: dataDays >= th.data_days,
    },
  ];

  const icSeries: FactorStats["ic_series"] = [];
  const lsSeries: FactorStats["ls_cumulative_returns"] = [];
  let cumulative = 1;
  for (let t = 0; t < D; t++) {
    if (Number.isFinite(ic[t])) icSeries.push({ date: dates[t], ic: ic[t] });
    if (Number.isFinite(ls[t])) {
      cumulative *= 1 + ls[t];
      lsSeries.push({ date: dates[t], ls_return: ls[t], cumulative });
    }
  }

  return {
    ic_mean: orNull(icS.mean),
    ic_std: orNull(icS.std),
    ic_ir: orNull(icS.ir),
    ic_days: icS.days,
    ic_decay: Array.from(decaySum, (x, k) => orNull(decayN[k] > 0 ? x / decayN[k] : NaN)),
    coverage: orNull(coverageDays > 0 ? coverageSum / coverageDays : NaN),
    data_days: dataDays,
    turnover: orNull(turnover),
    annualised_return: orNull(annualised),
    sharpe: orNull(sharpe),
    fitness: orNull(fitness),
    correlations: correlations.map(orNull),
    max_correlation: orNull(maxCorr),
    checks,
    passed: checks.every((c) => c.passed),
    ic_series: icSeries,
    ls_cumulative_returns: lsSeries,
    yearly_stats: yearlyStats(dates, ic, ls, turn),
  };
}

/** Per calendar year of the factor date (see the module comment). */
function yearlyStats(
  dates: readonly string[],
  ic: Float64Array,
  ls: Float64Array,
  turn: Float64Array,
): FactorYearStats[] {
  const out: FactorYearStats[] = [];
  let t = 0;
  while (t < dates.length) {
    const year = dates[t].slice(0, 4);
    let e = t;
    while (e < dates.length && dates[e].slice(0, 4) === year) e++;
    const icY = icSummary(ic.subarray(t, e));
    const turnY = icSummary(turn.subarray(t, e));
    let eq = 1, peak = 1, dd = 0, lsDays = 0;
    for (let q = t; q < e; q++) {
      if (!Number.isFinite(ls[q])) continue;
      lsDays++;
      eq *= 1 + ls[q];
      if (eq > peak) peak = eq;
      const fall = 1 - eq / peak;
      if (fall > dd) dd = fall;
    }
    // A year with nothing defined (e.g. only the forward-return days after the last factor date) is left out.
    if (icY.days === 0 && lsDays === 0 && turnY.days === 0) {
      t = e;
      continue;
    }
    out.push({
      year: Number(year),
      ic_mean: orNull(icY.mean),
      ic_ir: orNull(icY.ir),
      returns: lsDays > 0 ? eq - 1 : null,
      drawdown: lsDays > 0 ? dd : null,
      turnover: orNull(turnY.mean),
      days: icY.days,
    });
    t = e;
  }
  return out;
}
