/**
 * Resolves a syntax tree into the evaluator's tree: names become fields or operations, arities and constant
 * arguments are checked, constant sub-expressions are folded, and every node learns its look-back (the bars of
 * history it needs before its first full value).
 *
 * Windows and lags are constant numbers (any constant expression, e.g. `20`, `9.7`, `5 * 2`), floored to an
 * integer (`9.7` → 9: the paper's "non-integer number of days d is converted to floor(d)"), then checked:
 * windows at least 1 (2 for standard deviation, covariance and correlation), lags at least 0 (a negative lag
 * would read the future), both at most `MAX_FORMULA_WINDOW`.
 *
 * Look-back: a field 0 bars, `returns` 1, `adv{d}` d − 1; a window of d over x adds d − 1 to x's look-back, a lag
 * of d adds d; anything else takes the largest of its arguments. `ts_mean(delta(close, 5), 20)` needs 5 + 19 = 24.
 */
import { editDistance } from "../../strategy/expression.ts";
import { FormulaError, MAX_FORMULA_WINDOW } from "./errors.ts";
import {
  BASE_FIELDS,
  type BaseField,
  FIELD_NAMES,
  FUNCTIONS,
  MISSING_FIELDS,
  type OpName,
  type OpShape,
  type OpSpec,
  SECTOR_NAMES,
} from "./operators.ts";
import type { Syntax } from "./parser.ts";

export type BinaryOp = "+" | "-" | "*" | "/" | "^" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||";

/** A resolved node; `lookback` is the bars of history it needs before its first full value. */
export type Node =
  & { lookback: number }
  & (
    | { kind: "const"; value: number }
    | { kind: "field"; name: BaseField | "returns" }
    | { kind: "adv"; d: number }
    | { kind: "neg"; arg: Node }
    | { kind: "binary"; op: BinaryOp; left: Node; right: Node }
    | { kind: "cond"; test: Node; then: Node; other: Node }
    | { kind: "op"; op: OpName; shape: OpShape; args: Node[]; d: number; a: number }
  );

/** The resolved tree and the fields it reads (lower case, in order of first appearance). */
export interface Checked {
  root: Node;
  fields: string[];
}

const ADV = /^adv(\d+)$/;

/** Resolves `tree`; throws `FormulaError` pointing at the offending part of the source. */
export function check(tree: Syntax): Checked {
  const fields: string[] = [];
  const see = (name: string) => {
    if (!fields.includes(name)) fields.push(name);
  };

  function resolve(s: Syntax): Node {
    switch (s.kind) {
      case "num":
        return { kind: "const", value: s.value, lookback: 0 };
      case "name":
        return name(s);
      case "unary": {
        const arg = resolve(s.arg);
        if (s.op === "+") return arg;
        if (arg.kind === "const") return { kind: "const", value: -arg.value, lookback: 0 };
        return { kind: "neg", arg, lookback: arg.lookback };
      }
      case "binary": {
        const left = resolve(s.left), right = resolve(s.right);
        const op = s.op as BinaryOp;
        if (left.kind === "const" && right.kind === "const") {
          return { kind: "const", value: applyBinary(op, left.value, right.value), lookback: 0 };
        }
        return { kind: "binary", op, left, right, lookback: Math.max(left.lookback, right.lookback) };
      }
      case "cond": {
        const test = resolve(s.test), then = resolve(s.then), other = resolve(s.other);
        if (test.kind === "const" && then.kind === "const" && other.kind === "const") {
          return { kind: "const", value: choose(test.value, then.value, other.value), lookback: 0 };
        }
        return {
          kind: "cond",
          test,
          then,
          other,
          lookback: Math.max(test.lookback, then.lookback, other.lookback),
        };
      }
      case "call":
        return call(s);
    }
  }

  function name(s: Syntax & { kind: "name" }): Node {
    const lower = s.name.toLowerCase();
    if ((BASE_FIELDS as readonly string[]).includes(lower)) {
      see(lower);
      return { kind: "field", name: lower as BaseField, lookback: 0 };
    }
    if (lower === "returns") {
      see(lower);
      return { kind: "field", name: "returns", lookback: 1 };
    }
    const adv = ADV.exec(lower);
    if (adv) {
      const d = Number(adv[1]);
      if (d < 1 || d > MAX_FORMULA_WINDOW) {
        throw new FormulaError(
          `${s.name}: adv{d} takes d from 1 to ${MAX_FORMULA_WINDOW} (the mean volume of the last d bars)`,
          s.pos,
          s.len,
        );
      }
      see(`adv${d}`);
      return { kind: "adv", d, lookback: d - 1 };
    }
    if (lower in FUNCTIONS) {
      throw new FormulaError(`${s.name} is a function: write ${s.name}(…)`, s.pos, s.len);
    }
    if (SECTOR_NAMES.includes(lower)) {
      throw new FormulaError(
        `${s.name} is not a number: it is only the second argument of indneutralize(x, ${s.name})`,
        s.pos,
        s.len,
      );
    }
    if (lower in MISSING_FIELDS || lower.startsWith("indclass.")) {
      const what = MISSING_FIELDS[lower] ?? "an industry classification other than the sector";
      throw new FormulaError(
        `${s.name} (${what}) is not available on this platform; the fields are ${FIELD_NAMES.join(", ")}`,
        s.pos,
        s.len,
      );
    }
    if (lower === "adv") {
      throw new FormulaError(
        `adv needs a window: write adv20 (the mean volume of the last 20 bars)`,
        s.pos,
        s.len,
      );
    }
    throw new FormulaError(
      `Unknown name ${s.name}${
        nearest(lower, [...BASE_FIELDS, "returns", "adv20", ...Object.keys(FUNCTIONS)])
      }` +
        `; the fields are ${FIELD_NAMES.join(", ")}`,
      s.pos,
      s.len,
    );
  }

  function call(s: Syntax & { kind: "call" }): Node {
    const lower = s.name.toLowerCase();
    const spec = FUNCTIONS[lower];
    if (!spec) {
      if ((BASE_FIELDS as readonly string[]).includes(lower) || lower === "returns" || ADV.test(lower)) {
        throw new FormulaError(
          `${s.name} is a field, not a function (for a past value write delay(${s.name}, d))`,
          s.namePos,
          s.nameLen,
        );
      }
      throw new FormulaError(
        `Unknown function ${s.name}` +
          (nearest(lower, Object.keys(FUNCTIONS)) ||
            `; the functions are ${Object.keys(FUNCTIONS).join(", ")}`),
        s.namePos,
        s.nameLen,
      );
    }
    const required = spec.params.filter((p) => !(p.kind === "number" && p.default !== undefined)).length;
    if (s.args.length < required || s.args.length > spec.params.length) {
      const count = required === spec.params.length ? `${required}` : `${required} or ${spec.params.length}`;
      throw new FormulaError(
        `${signature(s.name, spec)} takes ${count} argument${spec.params.length === 1 ? "" : "s"}, ` +
          `not ${s.args.length}`,
        s.pos,
        s.len,
      );
    }
    const args: Node[] = [];
    let d = 0, a = NaN;
    spec.params.forEach((param, i) => {
      const arg = s.args[i];
      switch (param.kind) {
        case "x":
          args.push(resolve(arg));
          break;
        case "window":
        case "lag":
          d = bars(s.name, param.kind, param.kind === "window" ? param.min : 0, arg, i);
          break;
        case "number":
          a = arg === undefined ? param.default! : constant(s.name, param.name, arg, i);
          break;
        case "sector":
          sector(s.name, arg);
          break;
      }
    });
    if (spec.shape === "elementwise" && args.every((n) => n.kind === "const")) {
      const values = args.map((n) => (n as { value: number }).value);
      return { kind: "const", value: applyElementwise(spec.op, values), lookback: 0 };
    }
    const inner = Math.max(0, ...args.map((n) => n.lookback));
    const lookback = spec.shape === "window" ? inner + d - 1 : spec.shape === "lag" ? inner + d : inner;
    return { kind: "op", op: spec.op, shape: spec.shape, args, d, a, lookback };
  }

  function constant(fn: string, param: string, arg: Syntax, i: number): number {
    const n = resolve(arg);
    if (n.kind !== "const") {
      throw new FormulaError(
        `The ${
          ordinal(i)
        } argument of ${fn} (${param}) must be a constant number, not an expression of the data`,
        arg.pos,
        arg.len,
      );
    }
    if (!Number.isFinite(n.value)) {
      throw new FormulaError(
        `The ${ordinal(i)} argument of ${fn} (${param}) is not a finite number`,
        arg.pos,
        arg.len,
      );
    }
    return n.value;
  }

  function bars(fn: string, kind: "window" | "lag", min: number, arg: Syntax, i: number): number {
    const what = kind === "window" ? "window" : "lag";
    const n = resolve(arg);
    if (n.kind !== "const") {
      throw new FormulaError(
        `The ${what} of ${fn} (its ${ordinal(i)} argument) must be a constant number of bars, such as 20, ` +
          `not an expression of the data`,
        arg.pos,
        arg.len,
      );
    }
    if (!Number.isFinite(n.value)) {
      throw new FormulaError(`The ${what} of ${fn} is not a finite number`, arg.pos, arg.len);
    }
    if (n.value < 0) {
      throw new FormulaError(
        kind === "lag"
          ? `The lag of ${fn} is negative (${n.value}): a negative lag would read future bars`
          : `The window of ${fn} is negative (${n.value})`,
        arg.pos,
        arg.len,
      );
    }
    const d = Math.floor(n.value);
    if (d < min) {
      throw new FormulaError(
        `The window of ${fn} must be at least ${min} bar${min === 1 ? "" : "s"}` +
          (d !== n.value ? ` (${n.value} is floored to ${d})` : ` (got ${d})`),
        arg.pos,
        arg.len,
      );
    }
    if (d > MAX_FORMULA_WINDOW) {
      throw new FormulaError(
        `The ${what} of ${fn} is ${d} bars; the longest allowed is ${MAX_FORMULA_WINDOW}`,
        arg.pos,
        arg.len,
      );
    }
    return d;
  }

  function sector(fn: string, arg: Syntax): void {
    const lower = arg.kind === "name" ? arg.name.toLowerCase() : "";
    if (SECTOR_NAMES.includes(lower)) return;
    if (lower.startsWith("indclass.") || lower === "industry" || lower === "subindustry") {
      throw new FormulaError(
        `${
          arg.kind === "name" ? arg.name : ""
        }: only sectors are known on this platform; write ${fn}(x, sector) ` +
          `(or IndClass.sector)`,
        arg.pos,
        arg.len,
      );
    }
    throw new FormulaError(
      `The second argument of ${fn} is the grouping: write ${fn}(x, sector) (or IndClass.sector)`,
      arg.pos,
      arg.len,
    );
  }

  const root = resolve(tree);
  if (fields.length === 0) {
    throw new FormulaError(
      `The formula reads no market data: use at least one of ${FIELD_NAMES.join(", ")}`,
      tree.pos,
      Math.max(tree.len, 1),
    );
  }
  return { root, fields };
}

/** `name(x, d)`-style signature of a function, for arity errors. */
function signature(name: string, spec: OpSpec): string {
  const ps = spec.params.map((p) =>
    p.kind === "number" && p.default !== undefined ? `${p.name}=${p.default}` : p.name
  );
  return `${name}(${ps.join(", ")})`;
}

function ordinal(i: number): string {
  return ["1st", "2nd", "3rd"][i] ?? `${i + 1}th`;
}

/** `; did you mean a, b?` with the closest known names (edit distance), or "" when none is close. */
function nearest(name: string, known: string[]): string {
  const scored = [...new Set(known)].map((k) => ({ k, d: editDistance(name, k) }))
    .filter((s) => s.d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 3);
  return scored.length === 0 ? "" : `; did you mean ${scored.map((s) => s.k).join(", ")}?`;
}

/** Only finite results are values: ±Infinity (and NaN) become NaN, i.e. missing. */
export function finite(v: number): number {
  return v - v === 0 ? v : NaN;
}

/**
 * One binary operator on two numbers. Comparisons and logic give 1 (true) or 0 (false), and NaN when an operand
 * is missing (a missing value is neither true nor false); `/` by 0 and other non-finite results give NaN.
 */
export function applyBinary(op: BinaryOp, x: number, y: number): number {
  if (x !== x || y !== y) return NaN;
  switch (op) {
    case "+":
      return finite(x + y);
    case "-":
      return finite(x - y);
    case "*":
      return finite(x * y);
    case "/":
      return finite(x / y);
    case "^":
      return finite(Math.pow(x, y));
    case "<":
      return x < y ? 1 : 0;
    case "<=":
      return x <= y ? 1 : 0;
    case ">":
      return x > y ? 1 : 0;
    case ">=":
      return x >= y ? 1 : 0;
    case "==":
      return x === y ? 1 : 0;
    case "!=":
      return x !== y ? 1 : 0;
    case "&&":
      return x !== 0 && y !== 0 ? 1 : 0;
    case "||":
      return x !== 0 || y !== 0 ? 1 : 0;
  }
}

/** `c ? a : b`: a where c is non-zero, b where it is zero, NaN where c is missing. */
export function choose(c: number, a: number, b: number): number {
  return c !== c ? NaN : c !== 0 ? a : b;
}

/** One element-wise function on numbers (NaN in → NaN out; non-finite results → NaN). */
function applyElementwise(op: OpName, v: number[]): number {
  const x = v[0];
  switch (op) {
    case "abs":
      return Math.abs(x);
    case "log":
      return finite(Math.log(x));
    case "sign":
      return x !== x ? NaN : Math.sign(x);
    case "sqrt":
      return finite(Math.sqrt(x));
    case "min":
      return Math.min(x, v[1]);
    case "max":
      return Math.max(x, v[1]);
    case "signedpower":
      return signedPower(x, v[1]);
    case "where":
      return choose(x, v[1], v[2]);
    default:
      throw new Error(`${op} is not element-wise`);
  }
}

/** sign(x)·|x|^a; NaN when either is missing or the result is not finite. */
export function signedPower(x: number, a: number): number {
  return finite(Math.sign(x) * Math.pow(Math.abs(x), a));
}
