/**
 * The symbolic values the backtrader importer evaluates Python expressions to (nothing is run): numbers,
 * strings, price series and indicators as Quantedge expressions (`expression.ts` ASTs), conditions, the data
 * feeds, the position and its entry price (as linear forms `c·close + p·entry + k`, for stop and target checks),
 * modules, dates, and the runner's objects. `evaluate` maps one expression; anything outside the subset is a
 * `ValidationError` naming the construct and the line.
 */
import { ValidationError } from "../../errors.ts";
import type { Expr, Field } from "../expression.ts";
import type { PyExpr } from "../python/python_parser.ts";

/** A value of the importer's symbolic evaluation. */
export type V =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "bool"; v: boolean }
  | { k: "none" }
  | { k: "series"; e: Expr; lines?: Record<string, Expr>; field?: Field }
  | { k: "cond"; e: Expr }
  | { k: "cross"; a: Expr; b: Expr }
  | { k: "data" }
  | { k: "datas" }
  | { k: "params" }
  | { k: "self" }
  | { k: "position" }
  | { k: "lin"; c: number; p: number; q: number; field: Field | null }
  | { k: "ratio"; a: number; b: number; field: Field | null }
  | { k: "order" }
  | { k: "module"; path: string }
  | { k: "ordertype"; v: string }
  | { k: "date"; v: string }
  | { k: "dict"; m: Map<string, V> }
  | { k: "list"; items: V[] }
  | { k: "class"; name: string }
  | { k: "opaque"; what: string }
  | { k: "feed"; ticker: string | null; start: string | null; end: string | null; line: number }
  | { k: "frame"; ticker: string }
  | { k: "cerebro" }
  | { k: "broker" }
  | { k: "sizer"; sizing: Record<string, unknown>; line: number };

/** What `evaluate` needs: names in scope, the strategy's params, the number of feeds, and how to fail. */
export interface Scope {
  locals: Map<string, V>;
  /** `self.<name>` attributes set in `__init__`. */
  attrs: Map<string, V>;
  params: Map<string, V>;
  /** Aliases of imported modules and names (`bt` → `bt`, `btind` → `bt.ind`, `datetime` → `datetime`). */
  modules: Map<string, string>;
  /** Names of classes defined in the code. */
  classes: Set<string>;
  feedCount: number | null;
  loc: (string | number)[];
  /** True inside `notify_order(order)`: `order.executed.price` is the entry price. */
  orderParam?: string;
}

/** A refusal naming the line (type `unsupported_construct` unless given). */
export function refuse(scope: Scope, line: number, msg: string, type = "unsupported_construct"): never {
  throw new ValidationError(`line ${line}: ${msg}`, scope.loc, type);
}

const num = (value: number): Expr => ({ kind: "num", value });
const field = (name: Field): Expr => ({ kind: "field", name });
const call = (name: string, ...args: Expr[]): Expr => ({ kind: "call", name, args });

/** A short description of a value, for messages. */
export function describe(v: V): string {
  switch (v.k) {
    case "num":
      return `the number ${v.v}`;
    case "str":
      return `the string "${v.v.slice(0, 40)}"`;
    case "series":
      return "a price or indicator series";
    case "cond":
      return "a condition";
    case "cross":
      return "a CrossOver indicator";
    case "lin":
    case "ratio":
      return "a price relative to the entry price";
    case "module":
      return `\`${v.path}\``;
    default:
      return `a ${v.k} value`;
  }
}

/** Normalizes an imported module path: `backtrader.indicators` → `bt.ind`. */
export function modulePath(path: string): string {
  return path
    .replace(/^backtrader\b/, "bt")
    .replace(/^bt\.indicators\b/, "bt.ind")
    .replace(/^bt\.feeds\b/, "bt.feeds");
}

const INDICATOR_NAMES: Record<string, string> = {
  SMA: "sma",
  SimpleMovingAverage: "sma",
  MovingAverageSimple: "sma",
  EMA: "ema",
  ExponentialMovingAverage: "ema",
  MovingAverageExponential: "ema",
  RSI: "rsi",
  RelativeStrengthIndex: "rsi",
  RSI_SMMA: "rsi",
  RSI_Safe: "rsi",
  MACD: "macd",
  MACDHisto: "macd",
  MACDHistogram: "macd",
  BollingerBands: "bb",
  BBands: "bb",
  ATR: "atr",
  AverageTrueRange: "atr",
  CrossOver: "crossover",
  CrossUp: "crossup",
  CrossDown: "crossdown",
  Highest: "highest",
  MaxN: "highest",
  Lowest: "lowest",
  MinN: "lowest",
  StdDev: "stdev",
  StandardDeviation: "stdev",
};

/** Default periods of backtrader's indicators (bt's own defaults: SMA and EMA 30, RSI and ATR 14). */
const DEFAULT_PERIOD: Record<string, number> = { sma: 30, ema: 30, rsi: 14, atr: 14, bb: 20, stdev: 20 };

const NOT_WILDER: Record<string, string> = {
  RSI_SMA: "smooths with a simple average",
  RSI_EMA: "smooths with an exponential average",
  RSI_Cutler: "smooths with a simple average",
};

/** The series a value stands for (a data feed is its close); a refusal for anything else. */
export function asSeries(scope: Scope, v: V, line: number, what = "this"): Expr {
  if (v.k === "series") return v.e;
  if (v.k === "num") return num(v.v);
  if (v.k === "data") return field("close");
  if (v.k === "lin" && v.p === 0) {
    const base = v.field ? field(v.field) : null;
    if (base && v.q === 0) return v.c === 1 ? base : { kind: "bin", op: "*", left: num(v.c), right: base };
  }
  return refuse(scope, line, `${what} must be a number, a price or an indicator, not ${describe(v)}`);
}

/** A whole-number parameter (a period). */
function intParam(scope: Scope, v: V | undefined, line: number, name: string, dflt?: number): number {
  if (v === undefined) {
    if (dflt === undefined) refuse(scope, line, `give \`${name}\` explicitly`, "invalid_parameter");
    return dflt!;
  }
  if (v.k !== "num" || !Number.isInteger(v.v) || v.v < 1 || v.v > 5000) {
    refuse(scope, line, `\`${name}\` must be a whole number from 1 to 5000`, "invalid_parameter");
  }
  return (v as { v: number }).v;
}

/** An indicator constructor `bt.ind.<name>(args…)` as a series (or cross/condition). */
export function indicator(
  scope: Scope,
  name: string,
  args: V[],
  kwargs: Map<string, V>,
  line: number,
): V {
  if (NOT_WILDER[name]) {
    refuse(
      scope,
      line,
      `bt.ind.${name} ${NOT_WILDER[name]}; Quantedge's rsi() is Wilder's RSI (backtrader's bt.ind.RSI)`,
    );
  }
  const kind = INDICATOR_NAMES[name];
  if (!kind) {
    refuse(
      scope,
      line,
      `the indicator bt.ind.${name} is not supported (supported: SMA, EMA, RSI, MACD, BollingerBands, ATR, ` +
        "CrossOver, CrossUp, CrossDown, Highest, Lowest, StdDev)",
    );
  }
  const allowed: Record<string, string[]> = {
    sma: ["period"],
    ema: ["period"],
    rsi: ["period", "upperband", "lowerband", "safediv"],
    macd: ["period_me1", "period_me2", "period_signal"],
    bb: ["period", "devfactor"],
    atr: ["period"],
    crossover: [],
    crossup: [],
    crossdown: [],
    highest: ["period"],
    lowest: ["period"],
    stdev: ["period"],
  };
  for (const key of kwargs.keys()) {
    if (key === "plot" || key === "subplot" || key === "plotname") continue;
    if (!allowed[kind].includes(key)) {
      refuse(scope, line, `bt.ind.${name} has no supported parameter \`${key}\``, "invalid_parameter");
    }
  }
  if (kind === "crossover" || kind === "crossup" || kind === "crossdown") {
    if (args.length !== 2) refuse(scope, line, `bt.ind.${name} takes two lines`, "invalid_parameter");
    const a = asSeries(scope, args[0], line), b = asSeries(scope, args[1], line);
    if (kind === "crossover") return { k: "cross", a, b };
    return { k: "cond", e: call(kind === "crossup" ? "crosses_above" : "crosses_below", a, b) };
  }
  const periodArgs = kind === "macd" ? 0 : 1;
  if (args.length > 1 + periodArgs) {
    refuse(scope, line, `bt.ind.${name}: pass the parameters by name (period=…)`, "invalid_parameter");
  }
  const src = args[0];
  if (args.length === 2 && !kwargs.has("period")) kwargs.set("period", args[1]);
  if (kind === "atr") {
    if (src !== undefined && src.k !== "data") {
      refuse(scope, line, "bt.ind.ATR reads a data feed (high, low and close), not a single line");
    }
    return { k: "series", e: call("atr", num(intParam(scope, kwargs.get("period"), line, "period", 14))) };
  }
  const x = src === undefined ? field("close") : asSeries(scope, src, line, `the input of bt.ind.${name}`);
  if (kind === "macd") {
    const f = intParam(scope, kwargs.get("period_me1"), line, "period_me1", 12);
    const s = intParam(scope, kwargs.get("period_me2"), line, "period_me2", 26);
    const g = intParam(scope, kwargs.get("period_signal"), line, "period_signal", 9);
    const mk = (fn: string) => call(fn, x, num(f), num(s), num(g));
    const lines = { macd: mk("macd"), signal: mk("macd_signal"), histo: mk("macd_hist") };
    return { k: "series", e: lines.macd, lines };
  }
  const n = intParam(scope, kwargs.get("period"), line, "period", DEFAULT_PERIOD[kind]);
  if (kind === "bb") {
    const dev = kwargs.get("devfactor") ?? { k: "num", v: 2 };
    if (dev.k !== "num" || !(dev.v > 0)) refuse(scope, line, "`devfactor` must be a positive number");
    const k = num((dev as { v: number }).v);
    const lines = {
      mid: call("bb_middle", x, num(n)),
      top: call("bb_upper", x, num(n), k),
      bot: call("bb_lower", x, num(n), k),
    };
    return { k: "series", e: lines.mid, lines };
  }
  if (kind === "rsi") {
    for (const key of ["upperband", "lowerband", "safediv"]) {
      if (kwargs.has(key)) {
        refuse(scope, line, `bt.ind.RSI(${key}=…) only changes plotting or safety; leave it out`);
      }
    }
  }
  return { k: "series", e: call(kind, x, num(n)) };
}

/** The value `v[index]` (a bar index: 0 is today, -k k bars ago; a positive index reads the future). */
export function subscript(scope: Scope, v: V, index: V, line: number): V {
  if (v.k === "dict") {
    const key = index.k === "str" ? index.v : index.k === "data" ? "<data>" : null;
    if (key === null) refuse(scope, line, "a dict is indexed by a string or a data feed here");
    const got = v.m.get(key!);
    if (!got) refuse(scope, line, `no entry "${key}" was set in __init__`);
    return got!;
  }
  if (v.k === "datas") {
    if (index.k !== "num" || index.v !== 0) {
      refuse(scope, line, "only self.datas[0] (or a loop over self.datas) is supported");
    }
    return { k: "data" };
  }
  if (v.k === "list") {
    if (index.k !== "num" || !Number.isInteger(index.v) || index.v < 0 || index.v >= v.items.length) {
      refuse(scope, line, "an index outside the list");
    }
    return v.items[(index as { v: number }).v];
  }
  if (v.k === "cross" || v.k === "cond") {
    if (index.k === "num" && index.v === 0) return v;
    refuse(scope, line, "only [0] of a crossover is supported");
  }
  if (v.k !== "series" && v.k !== "data") refuse(scope, line, `${describe(v)} cannot be indexed`);
  if (index.k !== "num" || !Number.isInteger(index.v)) {
    refuse(scope, line, "a bar index must be a whole number such as [0] or [-1]");
  }
  const k = (index as { v: number }).v;
  if (k > 0) refuse(scope, line, `[${k}] reads a future bar, which a backtest cannot know`);
  const base = v.k === "data" ? field("close") : v.e;
  const baseField = v.k === "data" ? "close" as const : v.field;
  if (k === 0) return v.k === "data" ? { k: "series", e: base, field: "close" } : v;
  if (-k > 5000) refuse(scope, line, "a bar index beyond 5000 bars back");
  return {
    k: "series",
    e: call("delay", base, num(-k)),
    field: baseField === undefined ? undefined : undefined,
  };
}

/** A linear form of a value when it is (or involves) the entry price; `null` otherwise. */
function toLin(v: V): { c: number; p: number; q: number; field: Field | null } | null {
  if (v.k === "lin") return v;
  if (v.k === "num") return { c: 0, p: 0, q: v.v, field: null };
  if (v.k === "data") return { c: 1, p: 0, q: 0, field: "close" };
  if (v.k === "series" && v.field && v.e.kind === "field") return { c: 1, p: 0, q: 0, field: v.field };
  return null;
}

const isEntryish = (v: V) => v.k === "lin" || v.k === "ratio";

/** `a op b` for arithmetic operators. */
export function arith(scope: Scope, op: string, a: V, b: V, line: number): V {
  if (a.k === "num" && b.k === "num") {
    const r = op === "+"
      ? a.v + b.v
      : op === "-"
      ? a.v - b.v
      : op === "*"
      ? a.v * b.v
      : op === "/"
      ? a.v / b.v
      : op === "**"
      ? a.v ** b.v
      : op === "//"
      ? Math.floor(a.v / b.v)
      : op === "%"
      ? a.v % b.v
      : NaN;
    if (!Number.isFinite(r)) refuse(scope, line, `the arithmetic gives ${r}`, "invalid_parameter");
    return { k: "num", v: r };
  }
  if (isEntryish(a) || isEntryish(b)) return entryArith(scope, op, a, b, line);
  if (!["+", "-", "*", "/"].includes(op)) {
    refuse(scope, line, `the operator \`${op}\` on prices or indicators has no Quantedge equivalent`);
  }
  return {
    k: "series",
    e: { kind: "bin", op, left: asSeries(scope, a, line), right: asSeries(scope, b, line) },
  };
}

function entryArith(scope: Scope, op: string, a: V, b: V, line: number): V {
  const bad = (): never =>
    refuse(
      scope,
      line,
      "a check against the entry price must compare the close with the entry price times a factor " +
        "(e.g. `self.data.close[0] < self.buyprice * 0.95`)",
    );
  if (a.k === "ratio" || b.k === "ratio") {
    const r = a.k === "ratio" ? a : b as Extract<V, { k: "ratio" }>;
    const o = a.k === "ratio" ? b : a;
    if (o.k !== "num") bad();
    const n = (o as { v: number }).v;
    if (op === "+") return { ...r, b: r.b + n };
    if (op === "-") return a.k === "ratio" ? { ...r, b: r.b - n } : { ...r, a: -r.a, b: n - r.b };
    if (op === "*") return { ...r, a: r.a * n, b: r.b * n };
    if (op === "/" && a.k === "ratio" && n !== 0) return { ...r, a: r.a / n, b: r.b / n };
    return bad();
  }
  const la = toLin(a), lb = toLin(b);
  if (!la || !lb) return bad();
  const f = la.field ?? lb.field;
  if (la.field && lb.field && la.field !== lb.field) bad();
  if (op === "+" || op === "-") {
    const s = op === "+" ? 1 : -1;
    return { k: "lin", c: la.c + s * lb.c, p: la.p + s * lb.p, q: la.q + s * lb.q, field: f };
  }
  if (op === "*") {
    const [x, n] = lb.c === 0 && lb.p === 0 ? [la, lb.q] : la.c === 0 && la.p === 0 ? [lb, la.q] : [null, 0];
    if (!x) return bad();
    return { k: "lin", c: x.c * n, p: x.p * n, q: x.q * n, field: f };
  }
  if (op === "/") {
    if (lb.c === 0 && lb.p === 0 && lb.q !== 0) {
      return { k: "lin", c: la.c / lb.q, p: la.p / lb.q, q: la.q / lb.q, field: f };
    }
    if (lb.c === 0 && lb.q === 0 && lb.p !== 0 && la.q === 0) {
      return { k: "ratio", a: la.c / lb.p, b: la.p / lb.p, field: f };
    }
  }
  return bad();
}

/** A stop or target found in a comparison: the price `field` against `factor` × the entry price. */
export interface RiskPart {
  kind: "stop_loss" | "take_profit";
  pct: number;
  line: number;
}

/** Rounds away the binary noise of `(1 - 0.95) * 100`. */
export const clean = (x: number) => Number(x.toPrecision(12));

/** `a op b` where one side involves the entry price: a stop or a target; a refusal otherwise. */
export function riskCompare(scope: Scope, op: string, a: V, b: V, line: number): RiskPart {
  const bad = (why: string): never =>
    refuse(scope, line, `this check against the entry price ${why}; it has no Quantedge equivalent`);
  let relation: { op: string; m: number; field: Field | null };
  const flip = (o: string) =>
    ({ "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as Record<string, string>)[o] ?? o;
  if (!["<", "<=", ">", ">="].includes(op)) bad("is not an inequality");
  if (a.k === "ratio" || b.k === "ratio") {
    const r = (a.k === "ratio" ? a : b) as Extract<V, { k: "ratio" }>;
    const o = a.k === "ratio" ? b : a;
    if (o.k !== "num" || r.a === 0) bad("compares a ratio with something other than a number");
    let rop = a.k === "ratio" ? op : flip(op);
    if (r.a < 0) rop = flip(rop);
    relation = { op: rop, m: ((o as { v: number }).v - r.b) / r.a, field: r.field };
  } else {
    const la = toLin(a), lb = toLin(b);
    if (!la || !lb) return bad("compares it with an indicator");
    const c = la.c - lb.c, p = la.p - lb.p, q = la.q - lb.q;
    if (Math.abs(q) > 1e-12) bad("adds a fixed amount to it");
    if (c === 0 || p === 0) bad("does not compare the price with the entry price");
    relation = { op: c > 0 ? op : flip(op), m: -p / c, field: la.field ?? lb.field };
  }
  const { m } = relation;
  const below = relation.op === "<" || relation.op === "<=";
  if (below && m < 1 && m > 0 && relation.field !== "high") {
    return { kind: "stop_loss", pct: clean((1 - m) * 100), line };
  }
  if (!below && m > 1 && relation.field !== "low") {
    return { kind: "take_profit", pct: clean((m - 1) * 100), line };
  }
  return bad(
    below
      ? "is a price below a level that is not under the entry"
      : "is a price above a level not over the entry",
  );
}

/** Whether `e` is the Python name or attribute chain `path` (e.g. `self.position`). */
export function isChain(e: PyExpr, path: string): boolean {
  const parts = path.split(".");
  let cur: PyExpr = e;
  for (let i = parts.length - 1; i > 0; i--) {
    if (cur.k !== "attr" || cur.attr !== parts[i]) return false;
    cur = cur.value;
  }
  return cur.k === "name" && cur.id === parts[0];
}
