/**
 * Evaluates one Python expression of a backtrader strategy to a symbolic value (`backtrader_import_values.ts`)
 * and a condition to a Quantedge rule plus any stop/target checks. Nothing is run.
 */
import type { Expr } from "../expression.ts";
import type { PyExpr } from "../python/python_parser.ts";
import {
  arith,
  asSeries,
  describe,
  indicator,
  refuse,
  riskCompare,
  type RiskPart,
  type Scope,
  subscript,
  type V,
} from "./backtrader_import_values.ts";

const FIELDS = ["open", "high", "low", "close", "volume"] as const;
const ENTRY_ATTRS = /^(buy_?price|entry_?price|buyprice)$/i;
const ORDER_TYPES = ["Market", "Close", "Limit", "Stop", "StopLimit", "StopTrail", "StopTrailLimit"];
const FEEDS = [
  "YahooFinanceData",
  "YahooFinanceCSVData",
  "GenericCSVData",
  "BacktraderCSVData",
  "PandasData",
];

/** The value of `e`. */
export function evaluate(scope: Scope, e: PyExpr): V {
  switch (e.k) {
    case "num":
      return { k: "num", v: e.value };
    case "str":
      if (e.prefix.includes("f")) return { k: "opaque", what: "an f-string" };
      return { k: "str", v: e.value };
    case "const":
      return e.value === null ? { k: "none" } : { k: "bool", v: e.value };
    case "ellipsis":
      return { k: "opaque", what: "..." };
    case "name":
      return name(scope, e.id, e.line);
    case "attr":
      return attribute(scope, evaluate(scope, e.value), e.attr, e.line, e);
    case "sub":
      return subscript(scope, evaluate(scope, e.value), evaluate(scope, e.index), e.line);
    case "call":
      return callValue(scope, e);
    case "tuple":
    case "list":
      return { k: "list", items: e.items.map((x) => evaluate(scope, x)) };
    case "dict": {
      const m = new Map<string, V>();
      e.keys.forEach((key, i) => {
        const kv = evaluate(scope, key);
        if (kv.k !== "str") refuse(scope, key.line, "dict keys must be strings");
        m.set((kv as { v: string }).v, evaluate(scope, e.values[i]));
      });
      return { k: "dict", m };
    }
    case "unary": {
      const v = evaluate(scope, e.operand);
      if (e.op === "not") return negate(scope, v, e.line);
      if (e.op === "~") refuse(scope, e.line, "the operator `~` is not supported");
      if (e.op === "+") return v;
      if (v.k === "num") return { k: "num", v: -v.v };
      return arith(scope, "*", { k: "num", v: -1 }, v, e.line);
    }
    case "bin":
      if (!["+", "-", "*", "/", "//", "%", "**"].includes(e.op)) {
        refuse(scope, e.line, `the operator \`${e.op}\` is not supported`);
      }
      return arith(scope, e.op, evaluate(scope, e.left), evaluate(scope, e.right), e.line);
    case "bool":
    case "compare": {
      const c = condition(scope, e);
      if (c.risks.length > 0) refuse(scope, e.line, "a stop or target check must be the test of an `if`");
      return { k: "cond", e: c.rule! };
    }
  }
}

function negate(scope: Scope, v: V, line: number): V {
  if (v.k === "bool") return { k: "bool", v: !v.v };
  if (v.k === "none") return { k: "bool", v: true };
  if (v.k === "cond") return { k: "cond", e: { kind: "not", arg: v.e } };
  return refuse(scope, line, `\`not\` of ${describe(v)} is not supported`);
}

function name(scope: Scope, id: string, line: number): V {
  const local = scope.locals.get(id);
  if (local) return local;
  const mod = scope.modules.get(id);
  if (mod) return { k: "module", path: mod };
  if (scope.classes.has(id)) return { k: "class", name: id };
  if (id === "self") return { k: "self" };
  if (id === "__name__") return { k: "str", v: "__main__" };
  if (
    ["len", "print", "enumerate", "dict", "list", "tuple", "float", "int", "abs", "min", "max", "super"]
      .includes(id)
  ) {
    return { k: "opaque", what: `builtin:${id}` };
  }
  if (scope.orderParam === id) return { k: "opaque", what: "order" };
  return refuse(scope, line, `the name \`${id}\` is not defined (or not supported)`);
}

function attribute(scope: Scope, v: V, attr: string, line: number, e: PyExpr): V {
  switch (v.k) {
    case "self": {
      if (attr === "p" || attr === "params") return { k: "params" };
      if (attr === "data" || attr === "data0") return { k: "data" };
      if (attr === "datas") return { k: "datas" };
      if (attr === "position") return { k: "position" };
      if (attr === "broker") return { k: "broker" };
      if (attr === "getposition") return { k: "opaque", what: "getposition" };
      if (/^data\d+$/.test(attr)) refuse(scope, line, `self.${attr}: only one data feed per strategy rule`);
      const got = scope.attrs.get(attr);
      if (got) return got;
      if (ENTRY_ATTRS.test(attr)) return { k: "lin", c: 0, p: 1, q: 0, field: null };
      if (attr === "order") return { k: "order" };
      return refuse(scope, line, `self.${attr} is not set in __init__ (or not supported)`);
    }
    case "params": {
      const got = scope.params.get(attr);
      if (!got) refuse(scope, line, `the parameter \`${attr}\` is not declared in params`);
      return got!;
    }
    case "data":
      if ((FIELDS as readonly string[]).includes(attr)) {
        return {
          k: "series",
          e: { kind: "field", name: attr as typeof FIELDS[number] },
          field: attr as "close",
        };
      }
      if (attr === "lines") return v;
      return refuse(
        scope,
        line,
        `the data line \`${attr}\` is not supported (open, high, low, close, volume)`,
      );
    case "series":
      if (attr === "lines") return v;
      if (v.lines && attr in v.lines) return { k: "series", e: v.lines[attr] };
      return refuse(scope, line, `the indicator line \`${attr}\` is not supported`);
    case "position":
      if (attr === "size") return { k: "position" };
      if (attr === "price") return { k: "lin", c: 0, p: 1, q: 0, field: null };
      return refuse(scope, line, `self.position.${attr} is not supported (size, price)`);
    case "module": {
      const path = `${v.path}.${attr}`;
      if (path === "bt.indicators" || path === "bt.ind") return { k: "module", path: "bt.ind" };
      if (v.path === "bt.Order") {
        if (!ORDER_TYPES.includes(attr)) refuse(scope, line, `bt.Order.${attr} is not supported`);
        return { k: "ordertype", v: attr };
      }
      if (v.path === "bt.TimeFrame") return { k: "str", v: `TimeFrame.${attr}` };
      return { k: "module", path };
    }
    case "opaque":
      if (v.what === "order" && attr === "executed") return { k: "opaque", what: "order.executed" };
      if (v.what === "order.executed" && attr === "price") return { k: "lin", c: 0, p: 1, q: 0, field: null };
      return { k: "opaque", what: `${v.what}.${attr}` };
    case "cerebro":
      if (attr === "broker") return { k: "broker" };
      return { k: "opaque", what: `cerebro.${attr}` };
    case "broker":
      return { k: "opaque", what: `broker.${attr}` };
    default:
      return refuse(scope, e.line, `\`.${attr}\` of ${describe(v)} is not supported`);
  }
}

function kwargsOf(scope: Scope, e: Extract<PyExpr, { k: "call" }>): Map<string, V> {
  return new Map(e.kwargs.map((kw) => [kw.name, evaluate(scope, kw.value)]));
}

function callValue(scope: Scope, e: Extract<PyExpr, { k: "call" }>): V {
  const f = evaluate(scope, e.func);
  const line = e.line;
  if (f.k === "module") {
    const path = f.path;
    if (path.startsWith("bt.ind.")) {
      return indicator(
        scope,
        path.slice("bt.ind.".length),
        e.args.map((a) => evaluate(scope, a)),
        kwargsOf(scope, e),
        line,
      );
    }
    if (path === "bt.Cerebro") return { k: "cerebro" };
    if (path === "datetime.datetime" || path === "datetime.date" || path === "datetime") {
      const parts = e.args.map((a) => evaluate(scope, a));
      if (parts.length < 3 || parts.length > 6 || e.kwargs.length > 0 || parts.some((x) => x.k !== "num")) {
        refuse(scope, line, "a date is written datetime.datetime(year, month, day)");
      }
      const [y, m, d] = parts.map((x) => (x as { v: number }).v);
      const iso = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
      const dt = new Date(`${iso}T00:00:00Z`);
      if (Number.isNaN(dt.getTime()) || dt.toISOString().slice(0, 10) !== iso) {
        refuse(scope, line, `${iso} is not a real date`, "invalid_parameter");
      }
      return { k: "date", v: iso };
    }
    if (path.startsWith("bt.feeds.")) return feed(scope, path.slice("bt.feeds.".length), e);
    if (path.startsWith("bt.sizers.")) return { k: "module", path };
    if (path === "pd.read_csv" || path === "pandas.read_csv") {
      const src = e.args[0] ? evaluate(scope, e.args[0]) : undefined;
      if (!src || src.k !== "str") refuse(scope, line, "pd.read_csv needs the CSV path as a string");
      return { k: "frame", ticker: baseName((src as { v: string }).v) };
    }
    if (path === "math.sqrt" || path === "math.floor" || path === "math.ceil") {
      const x = e.args[0] ? evaluate(scope, e.args[0]) : undefined;
      if (x?.k !== "num") refuse(scope, line, `${path} of a non-number`);
      const n = (x as { v: number }).v;
      return {
        k: "num",
        v: path === "math.sqrt" ? Math.sqrt(n) : path === "math.floor" ? Math.floor(n) : Math.ceil(n),
      };
    }
    return refuse(scope, line, `\`${path}()\` is not supported`);
  }
  if (f.k === "opaque" && f.what.startsWith("builtin:")) {
    const fn = f.what.slice(8);
    const args = e.args.map((a) => evaluate(scope, a));
    if (fn === "len" && args.length === 1 && args[0].k === "datas") {
      if (scope.feedCount === null) refuse(scope, line, "len(self.datas) needs the data feeds of the runner");
      return { k: "num", v: scope.feedCount! };
    }
    if (fn === "dict") {
      if (args.length > 0) refuse(scope, line, "dict(...) takes keyword arguments only");
      return { k: "dict", m: kwargsOf(scope, e) };
    }
    if ((fn === "float" || fn === "int") && args.length === 1 && args[0].k === "num") {
      return { k: "num", v: fn === "int" ? Math.trunc(args[0].v) : args[0].v };
    }
    if ((fn === "min" || fn === "max") && args.length >= 2 && args.every((a) => a.k === "num")) {
      const ns = args.map((a) => (a as { v: number }).v);
      return { k: "num", v: fn === "min" ? Math.min(...ns) : Math.max(...ns) };
    }
    if (fn === "abs" && args.length === 1) {
      if (args[0].k === "num") return { k: "num", v: Math.abs(args[0].v) };
      return { k: "series", e: { kind: "call", name: "abs", args: [asSeries(scope, args[0], line)] } };
    }
    if (fn === "print") return { k: "opaque", what: "print" };
    if (fn === "super") return { k: "opaque", what: "super()" };
    return refuse(scope, line, `\`${fn}(…)\` is not supported here`);
  }
  if (f.k === "opaque" && f.what === "super().__init__") return { k: "opaque", what: "super()" };
  if (f.k === "opaque" && (f.what === "getposition" || f.what === "broker.getposition")) {
    const d = e.args.length === 1
      ? evaluate(scope, e.args[0])
      : e.kwargs.length === 1 && e.kwargs[0].name === "data"
      ? evaluate(scope, e.kwargs[0].value)
      : null;
    if (!d || d.k !== "data") refuse(scope, line, "getposition takes the data feed");
    return { k: "position" };
  }
  return refuse(scope, line, `calling ${describe(f)} is not supported here`);
}

/** The symbol a CSV path stands for: its file name without the extension. */
function baseName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  const dot = file.lastIndexOf(".");
  return dot > 0 ? file.slice(0, dot) : file;
}

const FEED_FORMAT_KWARGS = new Set([
  "dtformat",
  "tmformat",
  "datetime",
  "time",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "openinterest",
  "nullvalue",
  "headers",
  "separator",
  "reverse",
  "adjclose",
  "round",
  "decimals",
  "roundvolume",
  "swapcloses",
  "plot",
  "compression",
  "timeframe",
]);

function feed(scope: Scope, kind: string, e: Extract<PyExpr, { k: "call" }>): V {
  if (!FEEDS.includes(kind)) {
    refuse(scope, e.line, `the data feed bt.feeds.${kind} is not supported (${FEEDS.join(", ")})`);
  }
  const kw = kwargsOf(scope, e);
  let ticker: string | null = null, start: string | null = null, end: string | null = null;
  for (const [key, v] of kw) {
    if (key === "dataname") {
      if (v.k === "str") ticker = kind === "YahooFinanceData" ? v.v : baseName(v.v);
      else if (v.k === "frame") ticker = v.ticker;
      else refuse(scope, e.line, "dataname must be a ticker, a CSV path or pd.read_csv(path)");
    } else if (key === "name") {
      if (v.k !== "str") refuse(scope, e.line, "name must be a string");
      ticker = (v as { v: string }).v;
    } else if (key === "fromdate" || key === "todate") {
      if (v.k !== "date") refuse(scope, e.line, `${key} must be datetime.datetime(y, m, d)`);
      if (key === "fromdate") start = (v as { v: string }).v;
      else end = (v as { v: string }).v;
    } else if (key === "timeframe") {
      if (v.k !== "str" || v.v !== "TimeFrame.Days") refuse(scope, e.line, "only daily bars are supported");
    } else if (key === "compression") {
      if (v.k !== "num" || v.v !== 1) refuse(scope, e.line, "only daily bars (compression=1) are supported");
    } else if (!FEED_FORMAT_KWARGS.has(key)) {
      refuse(scope, e.line, `the feed parameter \`${key}\` is not supported`);
    }
  }
  if (e.args.length > 0) refuse(scope, e.line, "pass the feed's parameters by name (dataname=…)");
  if (ticker === null) refuse(scope, e.line, "the data feed needs dataname");
  return { k: "feed", ticker, start, end, line: e.line };
}

/** A condition: a Quantedge rule (or none) and the stop/target checks OR-ed with it. */
export interface Cond {
  rule: Expr | null;
  risks: RiskPart[];
}

const TRUE: Expr = {
  kind: "bin",
  op: ">",
  left: { kind: "num", value: 1 },
  right: { kind: "num", value: 0 },
};

const joinRules = (op: "and" | "or", rules: Expr[]): Expr | null =>
  rules.length === 0 ? null : rules.reduce((l, r) => ({ kind: "bin", op, left: l, right: r }));

/** The condition `e` (an `if` test). */
export function condition(scope: Scope, e: PyExpr): Cond {
  if (e.k === "bool") {
    const parts = e.values.map((x) => condition(scope, x));
    if (e.op === "and") {
      if (parts.some((p) => p.risks.length > 0)) {
        refuse(
          scope,
          e.line,
          "a stop or target check joined with `and` to other conditions has no Quantedge form",
        );
      }
      return { rule: joinRules("and", parts.map((p) => p.rule!)), risks: [] };
    }
    return {
      rule: joinRules("or", parts.flatMap((p) => (p.rule ? [p.rule] : []))),
      risks: parts.flatMap((p) => p.risks),
    };
  }
  if (e.k === "unary" && e.op === "not") {
    const inner = condition(scope, e.operand);
    if (inner.risks.length > 0) refuse(scope, e.line, "`not` of a stop or target check is not supported");
    return { rule: { kind: "not", arg: inner.rule! }, risks: [] };
  }
  if (e.k === "compare") {
    const values = [evaluate(scope, e.left), ...e.comparators.map((c) => evaluate(scope, c))];
    const rules: Expr[] = [];
    const risks: RiskPart[] = [];
    e.ops.forEach((op, i) => {
      const a = values[i], b = values[i + 1];
      if (op === "is" || op === "is not" || op === "in" || op === "not in") {
        refuse(scope, e.line, `\`${op}\` in a trading rule is not supported`);
      }
      const entry = [a, b].some((x) => x.k === "lin" || x.k === "ratio");
      if (entry) {
        if (e.ops.length > 1) refuse(scope, e.line, "a chained comparison with the entry price");
        risks.push(riskCompare(scope, op, a, b, e.line));
        return;
      }
      if (a.k === "cross" || b.k === "cross") return rules.push(crossRule(scope, op, a, b, e.line));
      if (a.k === "position" || b.k === "position") {
        refuse(scope, e.line, "a position check must be its own `if` test (e.g. `if not self.position:`)");
      }
      const l = asSeries(scope, a, e.line), r = asSeries(scope, b, e.line);
      rules.push({ kind: "bin", op, left: l, right: r });
    });
    return { rule: joinRules("and", rules), risks };
  }
  const v = evaluate(scope, e);
  if (v.k === "cond") return { rule: v.e, risks: [] };
  if (v.k === "bool") return { rule: v.v ? TRUE : { kind: "not", arg: TRUE }, risks: [] };
  if (v.k === "cross") {
    refuse(scope, e.line, "test a CrossOver with `> 0` (cross up) or `< 0` (cross down), not by its truth");
  }
  return refuse(scope, e.line, `${describe(v)} is not a condition`);
}

function crossRule(scope: Scope, op: string, a: V, b: V, line: number): Expr {
  const flip = a.k !== "cross";
  const cross = (flip ? b : a) as Extract<V, { k: "cross" }>;
  const other = flip ? a : b;
  const o = flip ? ({ "<": ">", ">": "<", "<=": ">=", ">=": "<=" } as Record<string, string>)[op] ?? op : op;
  if (other.k !== "num") refuse(scope, line, "compare a CrossOver with a number (> 0 or < 0)");
  const n = (other as { v: number }).v;
  const up = (o === ">" && n >= 0 && n < 1) || (o === ">=" && n > 0 && n <= 1) || (o === "==" && n === 1);
  const down = (o === "<" && n <= 0 && n > -1) || (o === "<=" && n < 0 && n >= -1) ||
    (o === "==" && n === -1);
  if (!up && !down) refuse(scope, line, `\`crossover ${o} ${n}\` is not a cross up or a cross down`);
  return { kind: "call", name: up ? "crosses_above" : "crosses_below", args: [cross.a, cross.b] };
}

/** Always true, as a rule. */
export const ALWAYS: Expr = TRUE;
