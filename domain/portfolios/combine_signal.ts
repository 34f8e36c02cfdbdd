/**
 * The multi-factor portfolio's signal, computed from its members' cross-sections (the QuantGPT document's
 * "Signal Generation Algorithm", with every convention it leaves open stated here). Pure: no I/O, no clock.
 */

/** One member's cross-section on its factor date: parallel `symbols` and `values`, and its in-sample IC IR. */
export interface MemberCrossSection {
  factor_id: string;
  symbols: readonly string[];
  values: ArrayLike<number>;
  /** The member's `is.ic_ir` (used by `ic_weighted`); `null` when the factor has none. */
  ic_ir: number | null;
}

/** What the combination needs besides the members. */
export interface CombineInput {
  members: readonly MemberCrossSection[];
  weighting: "equal" | "ic_weighted";
  top_n: number;
  /** The symbols a signal may hold: the portfolio universe's tradable stocks. */
  eligible: ReadonlySet<string>;
}

/** One member's part in the combination. */
export interface MemberContribution {
  factor_id: string;
  /** The member's factor weight (equal: 1/N; ic_weighted: |IC IR| / Σ|IC IR|). */
  weight: number;
  /** Finite values in its cross-section (what its mean and sample std are computed over). */
  finite: number;
  mean: number | null;
  /** Sample standard deviation (ddof 1) of its finite values; `null` with fewer than 2. */
  std: number | null;
  /** `true` when the cross-section has no spread (std 0 or undefined): the member then adds 0 to every score. */
  constant: boolean;
}

/** The combined signal and how it came about. */
export interface CombineResult {
  /** The selected names, best first, each weighted 1/top_n (fewer than top_n names: the rest is cash). */
  signals: { symbol: string; weight: number }[];
  /** Selected names with their combined scores, best first. */
  scores: { symbol: string; score: number }[];
  /** Symbols with a finite value in every member and in the eligible set (what was ranked). */
  candidates: number;
  members: MemberContribution[];
  /** Conventions that applied to this run (a constant member, IC weights all zero, fewer names than top_n). */
  notes: string[];
}

/** The conventions of `combineFactorSignal`, in words (answered with portfolio runs, quoted in the README). */
export const PORTFOLIO_SIGNAL_CONVENTIONS: Readonly<Record<string, string>> = {
  factor_date:
    "delay 1: a signal for trade date T uses each member's values dated the SSE trading day before T (known at " +
    "T−1's close, traded at T's open); when a member has none for that date its latest values within the 5 " +
    "trading days before T are used and the run says which date; older values give no signal",
  zscore:
    "each member's cross-section is z-scored over its own finite values: (x − mean) / sample std (ddof 1); a " +
    "member whose cross-section has no spread (std 0, or fewer than 2 values) contributes 0 to every score",
  weights:
    "equal: 1/N per member; ic_weighted: |IC IR| / Σ|IC IR| from each member's in-sample IC IR (a missing IC IR " +
    "counts as 0); when every |IC IR| is 0 the weights fall back to equal",
  universe:
    "scores are combined on the symbols with a finite value in every member (the intersection), restricted to " +
    "the portfolio universe's tradable stocks",
  ranking:
    "score descending, ties broken by symbol ascending; the first top_n are selected (scores are compared " +
    "rounded to 1e-9, so floating-point noise in the weighted sums does not decide ties)",
  weighting:
    "each selected stock weighs 1/top_n; with fewer candidates than top_n each still weighs 1/top_n and the " +
    "rest is cash",
};

/** Scores closer than this grid are ties (decided by symbol): sums of weighted z-scores carry ~1e-15 noise. */
const SCORE_TIE_GRID = 1e-9;

/** Mean and sample std (ddof 1) of the finite entries of `values`. */
function finiteMoments(values: ArrayLike<number>): { n: number; mean: number | null; std: number | null } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  if (n === 0) return { n, mean: null, std: null };
  const mean = sum / n;
  if (n < 2) return { n, mean, std: null };
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  return { n, mean, std: Math.sqrt(ss / (n - 1)) };
}

/** The member weights under `weighting`, and whether IC weighting fell back to equal. */
export function memberWeights(
  icIrs: readonly (number | null)[],
  weighting: "equal" | "ic_weighted",
): { weights: number[]; fellBack: boolean } {
  const n = icIrs.length;
  const equal = () => icIrs.map(() => 1 / n);
  if (weighting === "equal" || n === 0) return { weights: equal(), fellBack: false };
  const abs = icIrs.map((x) => (x !== null && Number.isFinite(x) ? Math.abs(x) : 0));
  const total = abs.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return { weights: equal(), fellBack: true };
  return { weights: abs.map((a) => a / total), fellBack: false };
}

/**
 * Combines the members' cross-sections into a day's signal (see `PORTFOLIO_SIGNAL_CONVENTIONS`). With no member
 * or an empty intersection the signal is empty (all cash). Work is O(Σ member sizes + candidates · log).
 */
export function combineFactorSignal(input: CombineInput): CombineResult {
  const { members, weighting, top_n, eligible } = input;
  const notes: string[] = [];
  const { weights, fellBack } = memberWeights(members.map((m) => m.ic_ir), weighting);
  if (fellBack) notes.push("every member's |IC IR| is 0 or missing: equal weights used");

  const contributions: MemberContribution[] = [];
  // symbol → running score and how many members had a finite value for it.
  const acc = new Map<string, { score: number; seen: number }>();
  for (const [i, m] of members.entries()) {
    const { n, mean, std } = finiteMoments(m.values);
    const constant = std === null || !(std > 0);
    contributions.push({ factor_id: m.factor_id, weight: weights[i], finite: n, mean, std, constant });
    if (constant && n > 0) {
      notes.push(`member ${m.factor_id} has a constant cross-section (${n} values): it contributes 0`);
    }
    for (let k = 0; k < m.symbols.length; k++) {
      const v = m.values[k];
      if (!Number.isFinite(v)) continue;
      const symbol = m.symbols[k];
      const z = constant ? 0 : (v - mean!) / std!;
      const cur = acc.get(symbol);
      // A symbol counts once per member (the first value when a cross-section repeats a symbol).
      if (i === 0) {
        if (!cur) acc.set(symbol, { score: weights[i] * z, seen: 1 });
      } else if (cur && cur.seen === i) {
        cur.score += weights[i] * z;
        cur.seen = i + 1;
      }
    }
  }
  const ranked: { symbol: string; score: number }[] = [];
  for (const [symbol, { score, seen }] of acc) {
    if (seen === members.length && eligible.has(symbol)) ranked.push({ symbol, score });
  }
  const key = (score: number) => Math.round(score / SCORE_TIE_GRID);
  ranked.sort((a, b) =>
    (key(b.score) - key(a.score)) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)
  );
  const chosen = ranked.slice(0, Math.max(0, top_n));
  if (members.length > 0 && chosen.length < top_n) {
    notes.push(
      `${chosen.length} candidates for top_n ${top_n}: each weighs 1/${top_n}, ` +
        `${((1 - chosen.length / top_n) * 100).toFixed(1)}% stays in cash`,
    );
  }
  return {
    signals: chosen.map((c) => ({ symbol: c.symbol, weight: 1 / top_n })),
    scores: chosen,
    candidates: ranked.length,
    members: contributions,
    notes,
  };
}
