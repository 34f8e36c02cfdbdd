/**
 * The strategy expression language: a small, side-effect-free grammar parsed into an AST (nothing is ever
 * `eval`ed). Numbers, the fields `open high low close volume`, `+ - * /`, comparisons, `and or not`, and
 * whitelisted functions (see `FUNCTIONS`). Errors carry the 1-based column and a hint.
 *
 *   expr := or;  or := and ("or" and)*;  and := not ("and" not)*;  not := "not" not | cmp
 *   cmp := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?;  sum := prod (("+" | "-") prod)*
 *   prod := unary (("*" | "/") unary)*;  unary := "-" unary | atom
 *   atom := number | field | name "(" [expr ("," expr)*] ")" | "(" expr ")"
 */

/** The price/volume fields. */
export const FIELDS = ["open", "high", "low", "close", "volume"] as const;
/** A field name. */
export type Field = typeof FIELDS[number];

/** A parsed expression. */
export type Expr =
  | { kind: "num"; value: number }
  | { kind: "field"; name: Field }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "bin"; op: string; left: Expr; right: Expr }
  | { kind: "not"; arg: Expr }
  | { kind: "neg"; arg: Expr };

/** A function's signature: positional parameters; `series` params take expressions, `int`/`num` literals. */
export interface FunctionSpec {
  params: { name: string; type: "series" | "int" | "num"; default?: number }[];
  /** Returns a condition (true/false) rather than a number. */
  boolean?: boolean;
  /** Needs the whole cross-section (factor evaluation), not one symbol. */
  crossSectional?: boolean;
  doc: string;
}

const s = (name: string) => ({ name, type: "series" as const });
const n = (name: string, d?: number) => ({ name, type: "int" as const, default: d });
const k = (name: string, d?: number) => ({ name, type: "num" as const, default: d });

/** Every function of the language. Indicators that need several fields take them implicitly. */
export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  sma: { params: [s("x"), n("n")], doc: "simple moving average" },
  ema: { params: [s("x"), n("n")], doc: "exponential moving average (SMA-seeded)" },
  rsi: { params: [s("x"), n("n", 14)], doc: "RSI, Wilder smoothing" },
  macd: { params: [s("x"), n("fast", 12), n("slow", 26), n("signal", 9)], doc: "MACD line" },
  macd_signal: { params: [s("x"), n("fast", 12), n("slow", 26), n("signal", 9)], doc: "MACD signal line" },
  macd_hist: { params: [s("x"), n("fast", 12), n("slow", 26), n("signal", 9)], doc: "MACD histogram" },
  bb_upper: { params: [s("x"), n("n", 20), k("k", 2)], doc: "upper Bollinger band" },
  bb_middle: { params: [s("x"), n("n", 20)], doc: "middle Bollinger band" },
  bb_lower: { params: [s("x"), n("n", 20), k("k", 2)], doc: "lower Bollinger band" },
  atr: { params: [n("n", 14)], doc: "average true range (high, low, close)" },
  zscore: { params: [s("x"), n("n", 20)], doc: "rolling z-score" },
  obv: { params: [], doc: "on-balance volume (close, volume)" },
  vwap: { params: [n("n", 20)], doc: "rolling VWAP (high, low, close, volume)" },
  vpt: { params: [], doc: "volume-price trend (close, volume)" },
  volume_sma: { params: [n("n", 20)], doc: "SMA of volume" },
  highest: { params: [s("x"), n("n")], doc: "highest of the last n bars" },
  lowest: { params: [s("x"), n("n")], doc: "lowest of the last n bars" },
  roc: { params: [s("x"), n("n")], doc: "rate of change, percent" },
  stdev: { params: [s("x"), n("n")], doc: "rolling population standard deviation" },
  ts_mean: { params: [s("x"), n("n")], doc: "rolling mean" },
  ts_std: { params: [s("x"), n("n")], doc: "rolling population standard deviation" },
  ts_rank: { params: [s("x"), n("n")], doc: "rank of today within the last n, in [0, 1]" },
  delay: { params: [s("x"), n("n")], doc: "value n bars ago" },
  delta: { params: [s("x"), n("n")], doc: "change over n bars" },
  correlation: { params: [s("x"), s("y"), n("n")], doc: "rolling Pearson correlation" },
  rank: { params: [s("x")], crossSectional: true, doc: "cross-sectional rank in [0, 1] across the universe" },
  abs: { params: [s("x")], doc: "absolute value" },
  log: { params: [s("x")], doc: "natural logarithm" },
  crosses_above: { params: [s("a"), s("b")], boolean: true, doc: "a[t−1] ≤ b[t−1] and a[t] > b[t]" },
  crosses_below: { params: [s("a"), s("b")], boolean: true, doc: "a[t−1] ≥ b[t−1] and a[t] < b[t]" },
};

/** A parse or name error at a 1-based column, with a hint. */
export class ExpressionError extends Error {
  constructor(message: string, readonly column: number, readonly hint: string) {
    super(`${message} at column ${column}${hint ? ` (${hint})` : ""}`);
  }
}

type Token = { t: "num" | "id" | "op" | "(" | ")" | "," | "end"; v: string; col: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const col = i + 1;
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", v: num[0], col });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0].toLowerCase(), col });
      i += id[0].length;
      continue;
    }
    const op = /^(<=|>=|==|!=|&&|\|\||[-+*/<>!])/.exec(src.slice(i));
    if (op) {
      const v = op[0] === "&&" ? "and" : op[0] === "||" ? "or" : op[0] === "!" ? "not" : op[0];
      out.push({ t: v === "and" || v === "or" || v === "not" ? "id" : "op", v, col });
      i += op[0].length;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === ",") {
      out.push({ t: ch, v: ch, col });
      i++;
      continue;
    }
    throw new ExpressionError(
      `Unexpected character "${ch}"`,
      col,
      "use numbers, fields, functions and + - * / < > and or not",
    );
  }
  out.push({ t: "end", v: "", col: src.length + 1 });
  return out;
}

/** The closest known name, for "did you mean" hints. */
function suggest(name: string): string {
  const names = [...Object.keys(FUNCTIONS), ...FIELDS];
  let best = "", score = Infinity;
  for (const cand of names) {
    const d = editDistance(name, cand);
    if (d < score) (score = d), (best = cand);
  }
  return score <= 3
    ? `did you mean "${best}"?`
    : `known names: ${FIELDS.join(", ")}, ${Object.keys(FUNCTIONS).join(", ")}`;
}

/** Edit (Levenshtein) distance of two names. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** Parses `src` into an AST; throws `ExpressionError` with the column and a hint. */
export function parseExpression(src: string): Expr {
  if (src.length > 2000) throw new ExpressionError("Expression too long (max 2000 characters)", 2001, "");
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p];
  const take = () => toks[p++];
  const expect = (t: Token["t"], what: string) => {
    const tok = take();
    if (tok.t !== t) {
      throw new ExpressionError(
        `Expected ${what} but found ${tok.t === "end" ? "end of input" : `"${tok.v}"`}`,
        tok.col,
        "",
      );
    }
    return tok;
  };
  const binary = (next: () => Expr, ops: string[]) => (): Expr => {
    let left = next();
    while ((peek().t === "op" || peek().t === "id") && ops.includes(peek().v)) {
      const op = take().v;
      left = { kind: "bin", op, left, right: next() };
    }
    return left;
  };
  const atom = (): Expr => {
    const tok = take();
    if (tok.t === "num") return { kind: "num", value: Number(tok.v) };
    if (tok.t === "(") {
      if (++depth > 50) throw new ExpressionError("Expression nested too deeply", tok.col, "");
      const e = expr();
      depth--;
      expect(")", '")"');
      return e;
    }
    if (tok.t === "id") {
      if (peek().t === "(") {
        const spec = FUNCTIONS[tok.v];
        if (!spec) throw new ExpressionError(`Unknown function "${tok.v}"`, tok.col, suggest(tok.v));
        take();
        const args: Expr[] = [];
        if (peek().t !== ")") {
          args.push(expr());
          while (peek().t === ",") (take(), args.push(expr()));
        }
        expect(")", '")" or ","');
        return { kind: "call", name: tok.v, args: checkArgs(tok.v, spec, args, tok.col) };
      }
      if ((FIELDS as readonly string[]).includes(tok.v)) return { kind: "field", name: tok.v as Field };
      throw new ExpressionError(`Unknown name "${tok.v}"`, tok.col, suggest(tok.v));
    }
    throw new ExpressionError(
      tok.t === "end" ? "Unexpected end of input" : `Unexpected "${tok.v}"`,
      tok.col,
      "expected a number, a field, a function call or (",
    );
  };
  const unary = (): Expr => {
    if (peek().t === "op" && peek().v === "-") {
      take();
      return { kind: "neg", arg: unary() };
    }
    return atom();
  };
  const prod = binary(unary, ["*", "/"]);
  const sum = binary(prod, ["+", "-"]);
  const cmp = (): Expr => {
    const left = sum();
    if (peek().t === "op" && ["<", "<=", ">", ">=", "==", "!="].includes(peek().v)) {
      const op = take().v;
      return { kind: "bin", op, left, right: sum() };
    }
    return left;
  };
  const not = (): Expr => {
    if (peek().t === "id" && peek().v === "not") {
      take();
      return { kind: "not", arg: not() };
    }
    return cmp();
  };
  const and = binary(not, ["and"]);
  const expr = binary(and, ["or"]);
  const result = expr();
  if (peek().t !== "end") {
    throw new ExpressionError(`Unexpected "${peek().v}"`, peek().col, "an operator or the end was expected");
  }
  return result;
}

function checkArgs(name: string, spec: FunctionSpec, args: Expr[], col: number): Expr[] {
  const required = spec.params.filter((p) => p.default === undefined).length;
  if (args.length < required || args.length > spec.params.length) {
    const sig = `${name}(${
      spec.params.map((p) => (p.default === undefined ? p.name : `${p.name}=${p.default}`)).join(", ")
    })`;
    throw new ExpressionError(
      `${name}() takes ${
        required === spec.params.length ? required : `${required} to ${spec.params.length}`
      } arguments, got ${args.length}`,
      col,
      `usage: ${sig}`,
    );
  }
  const full = spec.params.map((p, i): Expr => args[i] ?? { kind: "num", value: p.default! });
  spec.params.forEach((p, i) => {
    const a = full[i];
    if (p.type === "series") return;
    const value = a.kind === "num" ? a.value : a.kind === "neg" && a.arg.kind === "num" ? -a.arg.value : NaN;
    if (!Number.isFinite(value)) {
      throw new ExpressionError(`${name}(): ${p.name} must be a number`, col, `e.g. ${name}(close, 14)`);
    }
    if (p.type === "int" && (!Number.isInteger(value) || value < 1 || value > 5000)) {
      throw new ExpressionError(`${name}(): ${p.name} must be a whole number from 1 to 5000`, col, "");
    }
  });
  return full;
}

/** Binding strength of each binary operator (higher binds tighter; `not` is 3, unary minus 7). */
export const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "==": 4,
  "!=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
};

/** Prints an expression in canonical form (lower-case names, all defaults spelled out, minimal parentheses). */
export function printExpression(e: Expr, parent = 0): string {
  switch (e.kind) {
    case "num":
      return String(e.value);
    case "field":
      return e.name;
    case "call":
      return `${e.name}(${e.args.map((a) => printExpression(a)).join(", ")})`;
    case "neg":
      return `-${printExpression(e.arg, 7)}`;
    case "not": {
      const t = `not ${printExpression(e.arg, 3)}`;
      return parent > 3 ? `(${t})` : t;
    }
    case "bin": {
      const p = PRECEDENCE[e.op];
      const t = `${printExpression(e.left, p)} ${e.op} ${printExpression(e.right, p + 1)}`;
      return parent > p ? `(${t})` : t;
    }
  }
}
