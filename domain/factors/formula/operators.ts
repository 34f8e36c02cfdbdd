/**
 * The formula language's vocabulary: the input fields and every function, under the 101 Formulaic Alphas
 * paper's names and their `ts_` forms. Names are case-insensitive (`Ts_Rank`, `SignedPower`, `IndClass.sector`
 * as the paper writes them).
 */

/** The panels a formula reads directly from `FormulaInputs`. */
export const BASE_FIELDS = ["open", "high", "low", "close", "volume", "vwap"] as const;
export type BaseField = typeof BASE_FIELDS[number];

/** Every field a formula may name (`adv{d}` stands for adv1 … adv250). */
export const FIELD_NAMES = [...BASE_FIELDS, "returns", "adv{d}"] as const;

/**
 * Fields of the paper (or of other platforms) that this platform does not have, with what they are; naming one
 * is an error that says so instead of guessing.
 */
export const MISSING_FIELDS: Readonly<Record<string, string>> = {
  cap: "market capitalisation",
  market_cap: "market capitalisation",
  marketcap: "market capitalisation",
  amount: "traded value",
  turnover: "turnover",
  shares: "shares outstanding",
  dollar_volume: "traded value",
  industry: "industry classification (only sectors are known)",
  subindustry: "sub-industry classification (only sectors are known)",
};

/** The canonical name of an operation (what the evaluator switches on). */
export type OpName =
  | "rank"
  | "scale"
  | "indneutralize"
  | "ts_rank"
  | "delay"
  | "delta"
  | "ts_sum"
  | "ts_mean"
  | "ts_std"
  | "ts_product"
  | "ts_corr"
  | "ts_cov"
  | "decay_linear"
  | "ts_min"
  | "ts_max"
  | "ts_argmin"
  | "ts_argmax"
  | "signedpower"
  | "abs"
  | "log"
  | "sign"
  | "sqrt"
  | "min"
  | "max"
  | "where";

/**
 * A parameter: `x` a panel expression; `window` a constant number of bars, floored (at least `min`); `lag` a
 * constant number of bars back, floored, at least 0; `number` a constant; `sector` the word `sector` (or
 * `IndClass.sector`).
 */
export type Param =
  | { name: string; kind: "x" }
  | { name: string; kind: "window"; min: number }
  | { name: string; kind: "lag" }
  | { name: string; kind: "number"; default?: number }
  | { name: string; kind: "sector" };

/** How an operation uses time and the cross-section (drives look-back, cost and evaluation). */
export type OpShape = "elementwise" | "window" | "lag" | "cross";

export interface OpSpec {
  op: OpName;
  shape: OpShape;
  params: Param[];
  doc: string;
}

const x = (name = "x"): Param => ({ name, kind: "x" });
const w = (min = 1): Param => ({ name: "d", kind: "window", min });
const lag: Param = { name: "d", kind: "lag" };

const spec = (op: OpName, shape: OpShape, params: Param[], doc: string): OpSpec => ({
  op,
  shape,
  params,
  doc,
});

const RANK = spec(
  "rank",
  "cross",
  [x()],
  "cross-sectional rank per date, average ranks for ties, rank/count in (0, 1]",
);
const TS_RANK = spec(
  "ts_rank",
  "window",
  [x(), w()],
  "rank of today's value among the last d, rank/d in (0, 1]",
);
const DELAY = spec("delay", "lag", [x(), lag], "the value d bars ago");
const DELTA = spec("delta", "lag", [x(), lag], "x − delay(x, d)");
const SUM = spec("ts_sum", "window", [x(), w()], "sum of the last d values");
const MEAN = spec("ts_mean", "window", [x(), w()], "mean of the last d values");
const STD = spec("ts_std", "window", [x(), w(2)], "sample standard deviation (ddof 1) of the last d values");
const PRODUCT = spec("ts_product", "window", [x(), w()], "product of the last d values");
const CORR = spec(
  "ts_corr",
  "window",
  [x(), x("y"), w(2)],
  "Pearson correlation of x and y over the last d bars",
);
const COV = spec("ts_cov", "window", [x(), x("y"), w(2)], "sample covariance (ddof 1) over the last d bars");
const MIN = spec("ts_min", "window", [x(), w()], "lowest of the last d values");
const MAX = spec("ts_max", "window", [x(), w()], "highest of the last d values");

/** Every function, by its lower-case name (aliases share a spec). */
export const FUNCTIONS: Readonly<Record<string, OpSpec>> = {
  rank: RANK,
  ts_rank: TS_RANK,
  delay: DELAY,
  ts_delay: DELAY,
  delta: DELTA,
  ts_delta: DELTA,
  sum: SUM,
  ts_sum: SUM,
  mean: MEAN,
  ts_mean: MEAN,
  stddev: STD,
  ts_std: STD,
  ts_stddev: STD,
  product: PRODUCT,
  ts_product: PRODUCT,
  correlation: CORR,
  ts_corr: CORR,
  ts_correlation: CORR,
  covariance: COV,
  ts_cov: COV,
  ts_covariance: COV,
  decay_linear: spec(
    "decay_linear",
    "window",
    [x(), w()],
    "weighted mean of the last d values, weights d (today), d − 1, …, 1 normalised to sum 1",
  ),
  ts_min: MIN,
  ts_max: MAX,
  ts_argmin: spec(
    "ts_argmin",
    "window",
    [x(), w()],
    "bars since the lowest of the last d values (0 = today)",
  ),
  ts_argmax: spec(
    "ts_argmax",
    "window",
    [x(), w()],
    "bars since the highest of the last d values (0 = today)",
  ),
  scale: spec(
    "scale",
    "cross",
    [x(), { name: "a", kind: "number", default: 1 }],
    "x·a / Σ|x| per date (the absolute values sum to a)",
  ),
  signedpower: spec("signedpower", "elementwise", [x(), x("a")], "sign(x)·|x|^a"),
  abs: spec("abs", "elementwise", [x()], "absolute value"),
  log: spec("log", "elementwise", [x()], "natural logarithm (missing for x ≤ 0)"),
  sign: spec("sign", "elementwise", [x()], "−1, 0 or 1"),
  sqrt: spec("sqrt", "elementwise", [x()], "square root (missing for x < 0)"),
  min: spec("min", "elementwise", [x(), x("y")], "the smaller of x and y, element by element"),
  max: spec("max", "elementwise", [x(), x("y")], "the larger of x and y, element by element"),
  where: spec(
    "where",
    "elementwise",
    [x("c"), x("a"), x("b")],
    "a where c is non-zero, else b (as c ? a : b)",
  ),
  indneutralize: spec(
    "indneutralize",
    "cross",
    [x(), { name: "group", kind: "sector" }],
    "x minus the mean of x over its sector, per date",
  ),
  neutralize_sector: spec("indneutralize", "cross", [x()], "indneutralize(x, sector)"),
};

/** The group names `indneutralize` accepts as its second argument. */
export const SECTOR_NAMES = ["sector", "indclass.sector"];
