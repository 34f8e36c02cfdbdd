/**
 * Expressions of the spec language → backtrader Python (part of the exporter, `backtrader_export.ts`).
 *
 * Two contexts:
 * - line context (`__init__`): a series becomes a backtrader line object: a field is `d.close`, a function call is
 *   an indicator registered once per data (`i["sma_close_20"] = bt.ind.SMA(d.close, period=20)`), arithmetic is
 *   backtrader line arithmetic (`bt.DivByZero(a, b, NAN)` where a divisor may be 0), `and`/`or`/`not` are
 *   `bt.And`/`bt.Or`/`bt.If`.
 * - value context (`entry_signal`, `exit_signal`, `rank_value`, run from `next()`): today's values (`[0]`)
 *   combined with Python operators; `/` is `div(a, b)` (NaN for a zero divisor) and `!=` is `ne(a, b)` (false
 *   with a NaN side), as Quantedge evaluates them. A comparison with a NaN side (warm-up) is false in both.
 *
 * Indicators map to `bt.ind` where backtrader's computes what Quantedge's does (SMA, EMA, RSI, BollingerBands,
 * ATR, Highest, Lowest, StdDev, ROC100, Momentum); the others are small indicator classes in the file
 * (`backtrader_export_python.ts`): MACD because backtrader seeds its fast EMA differently from TA-Lib, crossings
 * because bt.ind.CrossOver looks back past a bar where the two series are equal.
 */
import { type Expr, printExpression } from "../expression.ts";

/** An indicator registered in `__init__`: its key in the per-data dict and its constructor. */
export interface Registered {
  key: string;
  code: string;
}

/** Python literal of a number. */
export function pyNumber(v: number): string {
  if (Number.isNaN(v)) return "NAN";
  if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "-float('inf')";
  return String(v);
}

const numOf = (e: Expr): number | null =>
  e.kind === "num" ? e.value : e.kind === "neg" && e.arg.kind === "num" ? -e.arg.value : null;

const COMPARE = new Set(["<", "<=", ">", ">=", "==", "!="]);
const BOOLEAN_CALLS = new Set(["crosses_above", "crosses_below"]);

/** Whether `e` is a condition (true/false) rather than a number. */
function isCondition(e: Expr): boolean {
  if (e.kind === "not") return true;
  if (e.kind === "bin") return COMPARE.has(e.op) || e.op === "and" || e.op === "or";
  return e.kind === "call" && BOOLEAN_CALLS.has(e.name);
}

/** The per-data indicator registry behind one strategy's expressions. */
export class ExpressionCompiler {
  readonly indicators: Registered[] = [];
  readonly needs = new Set<string>();
  private readonly byText = new Map<string, string>();
  private readonly usedKeys = new Set<string>();

  /** Registers `code` under a key derived from `base` (once per distinct expression text `text`). */
  private register(text: string, base: string, code: string): string {
    const known = this.byText.get(text);
    if (known) return known;
    let key = base.replace(/[^a-z0-9_]+/g, "_").replace(/_+/g, "_").replace(/^_|_$/g, "").slice(0, 48) ||
      "ind";
    if (this.usedKeys.has(key)) {
      let k = 2;
      while (this.usedKeys.has(`${key}_${k}`)) k++;
      key = `${key}_${k}`;
    }
    this.usedKeys.add(key);
    this.byText.set(text, key);
    this.indicators.push({ key, code });
    return key;
  }

  /** A readable key part for an argument: a field or a number as itself, anything else by position. */
  private argName(e: Expr): string {
    const v = numOf(e);
    if (v !== null) return String(v).replace("-", "m").replace(".", "p");
    if (e.kind === "field") return e.name;
    if (e.kind === "call") {
      // A call already registered reads as its key (`cross_sma_close_20_sma_close_50`).
      const m = /^i\["([a-z0-9_]+)"\](?:\.[a-z]+)?$/.exec(this.line(e));
      return m ? m[1] : e.name;
    }
    return "expr";
  }

  /** The line-context Python of series `e` (a backtrader line object, or a plain number for a literal). */
  line(e: Expr): string {
    const v = numOf(e);
    if (v !== null) return pyNumber(v);
    switch (e.kind) {
      case "field":
        return `d.${e.name}`;
      case "neg":
        return `-${this.lineAtom(e.arg)}`;
      case "not":
        return `bt.If(${this.lineCondition(e.arg)}, 0.0, 1.0)`;
      case "bin": {
        if (e.op === "and" || e.op === "or") {
          return `bt.${e.op === "and" ? "And" : "Or"}(${this.lineCondition(e.left)}, ${
            this.lineCondition(e.right)
          })`;
        }
        if (e.op === "/") {
          const r = numOf(e.right);
          if (r !== null && r !== 0) return `(${this.line(e.left)} / ${pyNumber(r)})`;
          this.needs.add("NAN");
          return `bt.DivByZero(${this.lineSeries(e.left)}, ${this.line(e.right)}, NAN)`;
        }
        if (e.op === "!=") {
          this.needs.add("NAN");
          return `bt.If(${this.lineSeries(e.left)} == ${this.line(e.right)}, 0.0, ` +
            `bt.If(${this.lineSeries(e.left)} * 0 + ${this.lineSeries(e.right)} * 0 == 0, 1.0, 0.0))`;
        }
        return `(${this.lineSeries(e.left)} ${e.op} ${this.line(e.right)})`;
      }
      case "call":
        return this.callLine(e);
    }
    return "d.close";
  }

  /** The line of `e` as a condition: itself when it is one, else `e > 0`. */
  private lineCondition(e: Expr): string {
    return isCondition(e) ? this.lineSeries(e) : `${this.lineSeries(e)} > 0`;
  }

  /** `line(e)`, made a line object when it would be a bare number (`d.close * 0 + 5`). */
  private lineSeries(e: Expr): string {
    const v = numOf(e);
    return v !== null ? `(d.close * 0 + ${pyNumber(v)})` : this.line(e);
  }

  private lineAtom(e: Expr): string {
    const s = this.line(e);
    return /^[A-Za-z0-9_.[\]"()]+$/.test(s) ? s : `(${s})`;
  }

  /** The line of a function call: a registered indicator, or line arithmetic over one. */
  private callLine(e: Extract<Expr, { kind: "call" }>): string {
    const a = e.args;
    const n = (k: number) => pyNumber(numOf(a[k]) ?? NaN);
    const x = () => this.lineSeries(a[0]);
    const text = printExpression(e);
    const name = (fn: string, parts: Expr[]) => [fn, ...parts.map((p) => this.argName(p))].join("_");
    const ref = (key: string, line = "") => `i["${key}"]${line}`;
    switch (e.name) {
      case "sma":
      case "ts_mean": // the same average; the key keeps the spec's name for the importer
        return ref(this.register(text, name(e.name, a), `bt.ind.SMA(${x()}, period=${n(1)})`));
      case "ema":
        return ref(this.register(text, name("ema", a), `bt.ind.EMA(${x()}, period=${n(1)})`));
      case "rsi":
        // safediv: no losses in the window reads 100, a flat window 0 (safelow), as Quantedge's RSI.
        return ref(
          this.register(text, name("rsi", a), `bt.ind.RSI(${x()}, period=${n(1)}, safediv=True, safelow=0)`),
        );
      case "macd":
      case "macd_signal":
      case "macd_hist": {
        this.needs.add("TalibMACD");
        const key = this.register(
          printExpression({ kind: "call", name: "macd", args: a }),
          name("macd", a),
          `TalibMACD(${x()}, fast=${n(1)}, slow=${n(2)}, signal=${n(3)})`,
        );
        return ref(key, e.name === "macd" ? ".macd" : e.name === "macd_signal" ? ".signal" : ".histo");
      }
      case "bb_upper":
      case "bb_lower":
      case "bb_middle": {
        // One BollingerBands per (series, period, k); the middle band has no k (it is the SMA).
        const k = e.name === "bb_middle" ? 2 : numOf(a[2]) ?? 2;
        const bands: Expr = { kind: "call", name: "bb_upper", args: [a[0], a[1], { kind: "num", value: k }] };
        const key = this.register(
          printExpression(bands),
          name("bb", [a[0], a[1], { kind: "num", value: k }]),
          `bt.ind.BollingerBands(${x()}, period=${n(1)}, devfactor=${pyNumber(k)})`,
        );
        return ref(key, e.name === "bb_upper" ? ".top" : e.name === "bb_lower" ? ".bot" : ".mid");
      }
      case "atr":
        return ref(this.register(text, name("atr", a), `bt.ind.ATR(d, period=${n(0)})`));
      case "zscore": {
        this.needs.add("ZScore");
        return ref(this.register(text, name("zscore", a), `ZScore(${x()}, period=${n(1)})`));
      }
      case "obv":
        this.needs.add("OnBalanceVolume");
        return ref(this.register(text, "obv", `OnBalanceVolume(d)`));
      case "vwap":
        this.needs.add("RollingVWAP");
        return ref(this.register(text, name("vwap", a), `RollingVWAP(d, period=${n(0)})`));
      case "vpt":
        this.needs.add("VolumePriceTrend");
        return ref(this.register(text, "vpt", `VolumePriceTrend(d)`));
      case "volume_sma":
        return ref(this.register(text, name("volume_sma", a), `bt.ind.SMA(d.volume, period=${n(0)})`));
      case "highest":
        return ref(this.register(text, name("highest", a), `bt.ind.Highest(${x()}, period=${n(1)})`));
      case "lowest":
        return ref(this.register(text, name("lowest", a), `bt.ind.Lowest(${x()}, period=${n(1)})`));
      case "roc":
        return ref(this.register(text, name("roc", a), `bt.ind.ROC100(${x()}, period=${n(1)})`));
      case "stdev":
      case "ts_std":
        return ref(this.register(text, name(e.name, a), `bt.ind.StdDev(${x()}, period=${n(1)})`));
      case "ts_rank":
        this.needs.add("TsRank");
        return ref(this.register(text, name("ts_rank", a), `TsRank(${x()}, period=${n(1)})`));
      case "delay":
        return `${this.lineAtom(a[0])}(-${n(1)})`;
      case "delta": // x - x(-n)
        return ref(this.register(text, name("delta", a), `bt.ind.Momentum(${x()}, period=${n(1)})`));
      case "correlation":
        this.needs.add("Correlation");
        return ref(
          this.register(
            text,
            name("correlation", a),
            `Correlation(${x()}, ${this.lineSeries(a[1])}, period=${n(2)})`,
          ),
        );
      case "abs":
        this.needs.add("Abs");
        return ref(this.register(text, name("abs", a), `Abs(${x()})`));
      case "log":
        this.needs.add("Log");
        return ref(this.register(text, name("log", a), `Log(${x()})`));
      case "crosses_above":
      case "crosses_below":
        return `(${ref(this.crossKey(e))} ${e.name === "crosses_above" ? ">" : "<"} 0)`;
      case "rank":
        this.needs.add("CrossSectionalRank");
        return ref(this.register(text, name("rank", a), `CrossSectionalRank(${x()})`));
    }
    throw new Error(`no backtrader form for ${e.name}()`);
  }

  /** The value-context Python of `e` (today's value, `[0]`), parenthesised when `parent` binds tighter. */
  value(e: Expr, parent = 0): string {
    const v = numOf(e);
    if (v !== null) return v < 0 && parent >= 7 ? `(${pyNumber(v)})` : pyNumber(v);
    switch (e.kind) {
      case "field":
        return `d.${e.name}[0]`;
      case "neg":
        return `-${this.value(e.arg, 7)}`;
      case "not": {
        const t = `not ${this.condition(e.arg, 9)}`; // not (a < b): parenthesised for the reader
        return parent > 3 ? `(${t})` : t;
      }
      case "bin": {
        if (e.op === "and" || e.op === "or") {
          const p = e.op === "or" ? 1 : 2;
          const t = `${this.condition(e.left, p)} ${e.op} ${this.condition(e.right, p + 1)}`;
          return parent > p ? `(${t})` : t;
        }
        if (e.op === "/") {
          this.needs.add("div");
          return `div(${this.value(e.left)}, ${this.value(e.right)})`;
        }
        if (e.op === "!=") {
          this.needs.add("ne");
          return `ne(${this.value(e.left)}, ${this.value(e.right)})`;
        }
        const p = COMPARE.has(e.op) ? 4 : e.op === "*" ? 6 : 5;
        // Python chains comparisons (a < b < c): a comparison inside a comparison keeps its parentheses.
        const t = `${this.value(e.left, COMPARE.has(e.op) ? 5 : p)} ${e.op} ${this.value(e.right, p + 1)}`;
        return parent > p || (COMPARE.has(e.op) && parent === 4) ? `(${t})` : t;
      }
      case "call": {
        if (e.name === "crosses_above" || e.name === "crosses_below") {
          const t = `i["${this.crossKey(e)}"][0] ${e.name === "crosses_above" ? ">" : "<"} 0`;
          return parent >= 4 ? `(${t})` : t;
        }
        // A delayed series is read n bars back: x(-n)[0] == x[-n].
        if (e.name === "delay") return this.shifted(e.args[0], numOf(e.args[1]) ?? 1);
        const line = this.callLine(e);
        return `${line}[0]`;
      }
    }
    return "NAN";
  }

  /**
   * The key of the crossing indicator behind a crossing (one per pair, for both directions): `QuantedgeCrossOver`
   * (bt.ind.CrossOver's values, Quantedge's rule at ties), with a number as `level=`.
   */
  private crossKey(e: Extract<Expr, { kind: "call" }>): string {
    const [a, b] = e.args;
    this.needs.add("QuantedgeCrossOver");
    const level = numOf(b);
    return this.register(
      printExpression({ kind: "call", name: "crosses_above", args: e.args }),
      ["cross", this.argName(a), this.argName(b)].join("_"),
      level !== null
        ? `QuantedgeCrossOver(${this.lineSeries(a)}, level=${pyNumber(level)})`
        : `QuantedgeCrossOver(${this.lineSeries(a)}, ${this.lineSeries(b)})`,
    );
  }

  /** `x` read `n` bars back in value context. */
  private shifted(x: Expr, n: number): string {
    if (x.kind === "field") return `d.${x.name}[-${n}]`;
    if (x.kind === "call" && !BOOLEAN_CALLS.has(x.name) && x.name !== "delay") {
      return `${this.callLine(x)}[-${n}]`;
    }
    return `${this.lineAtom(x)}(-${n})[0]`;
  }

  /** `value(e)` as a condition: a number counts as true when it is > 0 (as Quantedge reads it). */
  condition(e: Expr, parent = 0): string {
    if (isCondition(e)) return this.value(e, parent);
    const t = `${this.value(e, 5)} > 0`;
    return parent >= 4 ? `(${t})` : t;
  }
}
