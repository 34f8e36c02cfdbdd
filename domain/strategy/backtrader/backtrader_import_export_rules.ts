/**
 * The spec fields written in the code of Quantedge's backtrader export (`toBacktraderCode`), read back: the
 * per-data indicators of `__init__` (`i["sma_close_20"] = bt.ind.SMA(d.close, period=20)`), the rules of
 * `entry_signal` / `exit_signal` / `rank_value` (`return i["cross_…"][0] > 0`), the strategy's params (start,
 * positions, risk, fees, slippage), and the runner (cash, feeds, sizer). Only the shapes the exporter writes are
 * read; the caller accepts the result only when re-exporting it gives the same code, so a shape read wrongly
 * can never pass.
 */
import type { Expr, Field } from "../expression.ts";
import { parsePython, type PyExpr, type PyStmt } from "../python/python_parser.ts";

/** A reading that does not match the exporter's shapes. */
class NotExportShape extends Error {}

const fail = (what: string): never => {
  throw new NotExportShape(what);
};

const num = (value: number): Expr => ({ kind: "num", value });
const call = (name: string, ...args: Expr[]): Expr => ({ kind: "call", name, args });
const bin = (op: string, left: Expr, right: Expr): Expr => ({ kind: "bin", op, left, right });
const FIELDS = ["open", "high", "low", "close", "volume"];

function numberOf(e: PyExpr): number | null {
  if (e.k === "num") return e.value;
  if (e.k === "unary" && e.op === "-" && e.operand.k === "num") return -e.operand.value;
  if (e.k === "bin" && e.op === "/" && e.left.k === "num" && e.right.k === "num") {
    return e.left.value / e.right.value;
  }
  return null;
}

const kwarg = (e: Extract<PyExpr, { k: "call" }>, name: string): PyExpr | undefined =>
  e.kwargs.find((k) => k.name === name)?.value;

function kwNum(e: Extract<PyExpr, { k: "call" }>, name: string): number {
  const v = kwarg(e, name);
  const n = v ? numberOf(v) : null;
  return n === null ? fail(`${name}=`) : n;
}

const calleeName = (f: PyExpr): string =>
  f.k === "name" ? f.id : f.k === "attr" && f.value.k === "attr" && f.value.value.k === "name" &&
      f.value.value.id === "bt" && f.value.attr === "ind"
    ? `bt.ind.${f.attr}`
    : f.k === "attr" && f.value.k === "name" && f.value.id === "bt"
    ? `bt.${f.attr}`
    : "";

/** Indicator entries of `__init__`: key → the registered indicator (with its crossing pair, if any). */
type Inds = Map<string, { e: Expr; cross?: [Expr, Expr] }>;

function lineExpr(e: PyExpr, inds: Inds): Expr {
  const n = numberOf(e);
  if (n !== null) return num(n);
  if (e.k === "attr" && e.value.k === "name" && e.value.id === "d" && FIELDS.includes(e.attr)) {
    return { kind: "field", name: e.attr as Field };
  }
  if (e.k === "sub" && e.value.k === "name" && e.value.id === "i" && e.index.k === "str") {
    const got = inds.get(e.index.value);
    return got && !got.cross ? got.e : fail("an unknown indicator key");
  }
  if (e.k === "attr" && e.value.k === "sub") {
    const base = lineExpr(e.value, inds);
    return lineOf(base, e.attr);
  }
  if (e.k === "unary" && e.op === "-") return { kind: "neg", arg: lineExpr(e.operand, inds) };
  if (e.k === "bin" && ["+", "-", "*", "/"].includes(e.op)) {
    const l = lineExpr(e.left, inds), r = lineExpr(e.right, inds);
    // `(d.close * 0 + 5)`: a number made a line.
    if (
      e.op === "+" && e.left.k === "bin" && e.left.op === "*" && numberOf(e.left.right) === 0 &&
      r.kind === "num"
    ) return r;
    return bin(e.op, l, r);
  }
  if (e.k === "compare" && e.ops.length === 1) {
    return bin(e.ops[0], lineExpr(e.left, inds), lineExpr(e.comparators[0], inds));
  }
  if (e.k === "call") {
    // `x(-n)`: x delayed n bars.
    if (
      e.args.length === 1 && e.kwargs.length === 0 && numberOf(e.args[0]) !== null &&
      calleeName(e.func) === ""
    ) {
      return call("delay", lineExpr(e.func, inds), num(-numberOf(e.args[0])!));
    }
    const name = calleeName(e.func);
    const a = (k: number) => e.args[k] ? lineExpr(e.args[k], inds) : fail("an argument");
    if (name === "bt.DivByZero") return bin("/", a(0), a(1));
    if (name === "bt.And" || name === "bt.Or") return bin(name === "bt.And" ? "and" : "or", a(0), a(1));
    if (name === "bt.If") {
      if (numberOf(e.args[1]) === 0 && numberOf(e.args[2]) === 1) return { kind: "not", arg: a(0) };
      const inner = e.args[0];
      if (inner.k === "compare" && inner.ops[0] === "==") {
        return bin("!=", lineExpr(inner.left, inds), lineExpr(inner.comparators[0], inds));
      }
    }
  }
  return fail("a line expression");
}

/** The band / line `attr` of an indicator expression (`.top`, `.macd`, …). */
function lineOf(base: Expr, attr: string): Expr {
  if (base.kind !== "call") return fail("a line of a non-indicator");
  const a = base.args;
  if (base.name === "bb_upper") {
    if (attr === "top") return base;
    if (attr === "bot") return call("bb_lower", ...a);
    if (attr === "mid") return call("bb_middle", a[0], a[1]);
  }
  if (base.name === "macd") {
    if (attr === "macd") return base;
    if (attr === "signal") return call("macd_signal", ...a);
    if (attr === "histo") return call("macd_hist", ...a);
  }
  return fail(`the line .${attr}`);
}

/** The indicator a constructor in `__init__` registers. */
function indicator(key: string, e: PyExpr, inds: Inds): { e: Expr; cross?: [Expr, Expr] } {
  if (e.k !== "call") return fail("an indicator constructor");
  const name = calleeName(e.func);
  const x = () => lineExpr(e.args[0], inds);
  const p = () => num(kwNum(e, "period"));
  switch (name) {
    case "bt.ind.SMA":
      if (key.startsWith("volume_sma_")) return { e: call("volume_sma", p()) };
      return { e: call(key.startsWith("ts_mean_") ? "ts_mean" : "sma", x(), p()) };
    case "bt.ind.EMA":
      return { e: call("ema", x(), p()) };
    case "bt.ind.RSI":
      return { e: call("rsi", x(), p()) };
    case "TalibMACD":
      return { e: call("macd", x(), num(kwNum(e, "fast")), num(kwNum(e, "slow")), num(kwNum(e, "signal"))) };
    case "bt.ind.BollingerBands":
      return { e: call("bb_upper", x(), p(), num(kwNum(e, "devfactor"))) };
    case "bt.ind.ATR":
      return { e: call("atr", p()) };
    case "ZScore":
      return { e: call("zscore", x(), p()) };
    case "OnBalanceVolume":
      return { e: call("obv") };
    case "RollingVWAP":
      return { e: call("vwap", p()) };
    case "VolumePriceTrend":
      return { e: call("vpt") };
    case "bt.ind.Highest":
      return { e: call("highest", x(), p()) };
    case "bt.ind.Lowest":
      return { e: call("lowest", x(), p()) };
    case "bt.ind.ROC100":
      return { e: call("roc", x(), p()) };
    case "bt.ind.StdDev":
      return { e: call(key.startsWith("ts_std_") ? "ts_std" : "stdev", x(), p()) };
    case "TsRank":
      return { e: call("ts_rank", x(), p()) };
    case "bt.ind.Momentum":
      return { e: call("delta", x(), p()) };
    case "Correlation":
      return { e: call("correlation", x(), lineExpr(e.args[1], inds), p()) };
    case "Abs":
      return { e: call("abs", x()) };
    case "Log":
      return { e: call("log", x()) };
    case "CrossSectionalRank":
      return { e: call("rank", x()) };
    case "QuantedgeCrossOver": {
      const level = kwarg(e, "level");
      const b = level ? num(numberOf(level) ?? fail("level=")) : lineExpr(e.args[1], inds);
      return { e: num(0), cross: [x(), b] };
    }
  }
  return fail(`the indicator ${name}`);
}

function valueExpr(e: PyExpr, inds: Inds): Expr {
  const n = numberOf(e);
  if (n !== null) return num(n);
  if (e.k === "unary") {
    if (e.op === "-") return { kind: "neg", arg: valueExpr(e.operand, inds) };
    if (e.op === "not") return { kind: "not", arg: valueExpr(e.operand, inds) };
  }
  if (e.k === "bool") return e.values.map((v) => valueExpr(v, inds)).reduce((l, r) => bin(e.op, l, r));
  if (e.k === "compare" && e.ops.length === 1) {
    const left = e.left, right = e.comparators[0];
    // A crossing: i["cross_…"][0] > 0 / < 0.
    if (
      left.k === "sub" && left.value.k === "sub" && left.value.value.k === "name" &&
      left.value.value.id === "i"
    ) {
      const key = left.value.index.k === "str" ? left.value.index.value : "";
      const got = inds.get(key);
      if (got?.cross && numberOf(right) === 0 && (e.ops[0] === ">" || e.ops[0] === "<")) {
        return call(e.ops[0] === ">" ? "crosses_above" : "crosses_below", ...got.cross);
      }
    }
    return bin(e.ops[0], valueExpr(left, inds), valueExpr(right, inds));
  }
  if (e.k === "bin" && ["+", "-", "*"].includes(e.op)) {
    return bin(e.op, valueExpr(e.left, inds), valueExpr(e.right, inds));
  }
  if (
    e.k === "call" && e.func.k === "name" && (e.func.id === "div" || e.func.id === "ne") &&
    e.args.length === 2
  ) {
    return bin(e.func.id === "div" ? "/" : "!=", valueExpr(e.args[0], inds), valueExpr(e.args[1], inds));
  }
  if (e.k === "sub") {
    const at = numberOf(e.index);
    if (at === null || at > 0) return fail("a bar index");
    const line = lineExpr(e.value, inds);
    return at === 0 ? line : call("delay", line, num(-at));
  }
  return fail("a rule expression");
}

/** Lines of a block indented under line `start` (exclusive), dedented by `by`. */
function block(lines: string[], start: number, by: number): string {
  const out: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() !== "" && l.length - l.trimStart().length <= by) break;
    out.push(l.slice(by));
  }
  return out.join("\n");
}

const LOC = ["strategy_code"];

/** The spec fields the export's code gives, or `null` when it is not in the exporter's shapes. */
export function readExportRules(code: string): Record<string, unknown> | null {
  try {
    return read(code);
  } catch (e) {
    if (e instanceof NotExportShape || (e instanceof Error && e.name === "ValidationError")) return null;
    throw e;
  }
}

function read(code: string): Record<string, unknown> {
  const lines = code.replace(/\r\n?/g, "\n").split("\n");
  const cls = lines.findIndex((l) => /^class \w+\(bt\.Strategy\):/.test(l));
  if (cls < 0) return fail("no strategy class");
  const method = (name: string): PyStmt[] => {
    const at = lines.findIndex((l, i) => i > cls && l.startsWith(`    def ${name}(`));
    if (at < 0) return fail(`no ${name}`);
    const def = parsePython(`${lines[at].slice(4)}\n${block(lines, at, 4)}\n`, LOC).body[0];
    return def.k === "def" ? def.body : fail(name);
  };
  // __init__: `for d in self.datas:` → `i = self.inds[d] = {}` → `i["key"] = …`.
  const inds: Inds = new Map();
  const init = method("__init__");
  const loop = init.find((s) => s.k === "for");
  for (const s of loop && loop.k === "for" ? loop.body : []) {
    if (s.k !== "assign" || s.targets.length !== 1) continue;
    const t = s.targets[0];
    if (t.k === "sub" && t.value.k === "name" && t.value.id === "i" && t.index.k === "str") {
      inds.set(t.index.value, indicator(t.index.value, s.value, inds));
    }
  }
  const rule = (name: string): Expr => {
    const body = method(name);
    const ret = body.length === 1 && body[0].k === "return" ? body[0].value : null;
    return ret ? valueExpr(ret, inds) : fail(name);
  };
  const out: Record<string, unknown> = {
    entry: rule("entry_signal"),
    exit: rule("exit_signal"),
    rank_by: rule("rank_value"),
  };
  // Params of the strategy class.
  const pAt = lines.findIndex((l, i) => i > cls && l.startsWith("    params = ("));
  if (pAt < 0) return fail("params");
  const pText = [lines[pAt].slice(4)];
  for (let i = pAt + 1; i < lines.length && !lines[i - 1].startsWith("    )"); i++) {
    pText.push(lines[i].slice(4));
  }
  const pStmt = parsePython(pText.join("\n") + "\n", LOC).body[0];
  const params = new Map<string, PyExpr>();
  if (pStmt?.k === "assign" && pStmt.value.k === "tuple") {
    for (const item of pStmt.value.items) {
      if (item.k === "tuple" && item.items[0].k === "str") params.set(item.items[0].value, item.items[1]);
    }
  }
  const pnum = (k: string): number | null => {
    const v = params.get(k);
    if (!v) return fail(`param ${k}`);
    return v.k === "const" && v.value === null ? null : numberOf(v) ?? fail(`param ${k}`);
  };
  const startP = params.get("start");
  if (!startP || startP.k !== "call" || startP.args.length !== 3) return fail("start");
  const ymd = startP.args.map((a) => numberOf(a) ?? fail("start"));
  const iso = (y: number, m: number, d: number) =>
    `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  out.start = iso(ymd[0], ymd[1], ymd[2]);
  out.risk = {
    stop_loss_pct: pnum("stop_loss_pct"),
    take_profit_pct: pnum("take_profit_pct"),
    trailing_stop_pct: pnum("trailing_stop_pct"),
    max_holding_days: pnum("max_holding_days"),
  };
  out.costs = {
    buy_fee_pct: pnum("buy_fee_pct"),
    sell_fee_pct: pnum("sell_fee_pct"),
    min_fee: pnum("min_fee"),
    slippage_pct: params.has("slippage_pct") ? pnum("slippage_pct") : 0,
  };
  const common = { max_positions: pnum("max_positions"), min_position: pnum("min_position") };
  // Runner lines.
  const runner = lines.filter((l) => l.startsWith("    cerebro."));
  const cash = runner.map((l) => /^ {4}cerebro\.broker\.setcash\(([0-9.e+]+)\)/.exec(l)).find((m) => m);
  if (!cash) return fail("setcash");
  out.capital = Number(cash[1]);
  const tickers: string[] = [];
  let end: string | null = null;
  for (const l of runner) {
    const m = /^ {4}cerebro\.adddata\(.*todate=datetime\.date\((\d+), (\d+), (\d+)\).*, name="([^"]+)"\)$/
      .exec(l);
    if (m) {
      tickers.push(m[4]);
      end = iso(Number(m[1]), Number(m[2]), Number(m[3]));
    }
  }
  // No feed: the universe is a name (a `# quantedge: universe:` line gives it).
  if (tickers.length > 0) out.universe = { tickers };
  if (end !== null) out.end = end;
  const sizer = runner.map((l) => /^ {4}cerebro\.addsizer\((.*)\)\s*(#.*)?$/.exec(l)).find((m) => m);
  if (!sizer) return fail("addsizer");
  const s = parsePython(`f(${sizer[1]})\n`, LOC).body[0];
  if (s.k !== "expr" || s.value.k !== "call") return fail("addsizer");
  const sc = s.value;
  const kind = calleeName(sc.args[0]) || (sc.args[0].k === "attr" ? sc.args[0].attr : "");
  if (kind === "PercentOfEquity") {
    out.sizing = { method: "percent_equity", percent: kwNum(sc, "percents"), ...common };
  } else if (kind === "FixedCash") out.sizing = { method: "fixed_cash", cash: kwNum(sc, "cash"), ...common };
  else if (kind === "FixedSize") {
    out.sizing = { method: "fixed_quantity", quantity: kwNum(sc, "stake"), ...common };
  } else if (kind === "RiskAdjusted") {
    out.sizing = {
      method: "risk_adjusted",
      risk_pct: kwNum(sc, "risk_pct"),
      atr_period: kwNum(sc, "atr_period"),
      atr_multiple: kwNum(sc, "atr_multiple"),
      ...common,
    };
  } else return fail("the sizer");
  return out;
}
