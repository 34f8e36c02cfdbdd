/**
 * Reads a backtrader strategy's `next()` (and the protective orders of `notify_order`) into trading actions:
 * buys (entries) and exits, each with the conditions on its path, plus stops, targets and trailing stops.
 * Position checks (`if not self.position:`, `if self.position:`, `self.getposition(d).size`) choose whether an
 * action runs flat or long; a buy with no position check is refused (it would add to an open position), a
 * `sell` that is not the exit of a long position is refused (shorting).
 */
import type { Expr } from "../expression.ts";
import type { PyExpr, PyStmt } from "../python/python_parser.ts";
import { ALWAYS, condition, evaluate } from "./backtrader_import_eval.ts";
import { clean, isChain, refuse, type RiskPart, type Scope, type V } from "./backtrader_import_values.ts";

/** Where a position stands on an action's path. */
type Pos = "flat" | "long" | "unknown";

/** A sizing an entry asks for (spec fields), or `null` for "whatever the sizer says". */
export type EntrySizing = Record<string, unknown> | null;

/** What the strategy's methods do. */
export interface Actions {
  entries: { rule: Expr; line: number; sizing: EntrySizing }[];
  exits: { rule: Expr; line: number }[];
  risks: RiskPart[];
  trailing: { pct: number; line: number }[];
  /** Loops over `self.datas` were used (a multi-symbol strategy). */
  multiData: boolean;
}

type PathItem =
  | { k: "rule"; e: Expr; line: number }
  | { k: "risk"; risks: RiskPart[]; rule: Expr | null; line: number }
  | { k: "notrisk"; rule: Expr | null };

const ORDER_METHODS = new Set([
  "buy",
  "sell",
  "close",
  "order_target_percent",
  "order_target_value",
  "order_target_size",
  "buy_bracket",
  "sell_bracket",
  "cancel",
]);
const IGNORED_SELF_CALLS = new Set(["log"]);

/** Walks `next()`'s body into `out`. */
export function readNext(scope: Scope, body: PyStmt[], out: Actions): void {
  walk(scope, body, [], "unknown", out, { depth: 0 });
}

interface WalkState {
  depth: number;
  /** The line of the last buy in the current block (protective orders follow one). */
  lastBuy?: number;
}

function walk(scope: Scope, body: PyStmt[], path: PathItem[], pos: Pos, out: Actions, st: WalkState): void {
  if (++st.depth > 60) refuse(scope, body[0]?.line ?? 1, "blocks nested too deeply");
  const local: WalkState = { depth: st.depth };
  for (let i = 0; i < body.length; i++) {
    const s = body[i];
    switch (s.k) {
      case "pass":
        break;
      case "return":
        if (s.value !== null) refuse(scope, s.line, "next() returns nothing");
        if (i !== body.length - 1) refuse(scope, s.line, "statements after `return` never run");
        break;
      case "expr":
        statementCall(scope, s.value, path, pos, out, local);
        break;
      case "assign": {
        if (s.targets.length === 1 && isChain(s.targets[0], "self.order") && s.value.k === "call") {
          statementCall(scope, s.value, path, pos, out, local);
          break;
        }
        if (s.targets.length === 1 && s.targets[0].k === "name") {
          scope.locals.set(s.targets[0].id, evaluate(scope, s.value));
          break;
        }
        refuse(scope, s.line, "this assignment in next() is not supported (only local names and self.order)");
        break;
      }
      case "for":
        forDatas(scope, s, () => walk(scope, s.body, path, pos, out, local));
        out.multiData = true;
        break;
      case "if": {
        // `if self.order: return` guards a pending order: with next-open fills there is none to wait for.
        if (
          (isChain(s.test, "self.order") || (s.test.k === "compare" && isChain(s.test.left, "self.order"))) &&
          s.body.every((b) => b.k === "return" && b.value === null) && s.orelse.length === 0
        ) break;
        const t = splitTest(scope, s.test);
        const thenPos = t.pos ?? pos;
        if (t.pos && pos !== "unknown" && t.pos !== pos) break; // cannot happen on this path
        const cond = t.cond;
        const thenPath = cond ? [...path, cond] : path;
        walk(scope, s.body, thenPath, thenPos, out, local);
        // `if T: return` (no else): the rest of the block is T's else.
        const last = s.body[s.body.length - 1];
        if (s.orelse.length === 0 && last?.k === "return") {
          const rest = body.slice(i + 1);
          if (rest.length === 0) break;
          walk(scope, [{ ...s, body: [{ k: "pass", line: s.line }], orelse: rest }], path, pos, out, local);
          st.depth--;
          return;
        }
        if (s.orelse.length > 0) {
          if (t.pos && cond) {
            refuse(
              scope,
              s.line,
              "an `else` of a test that mixes a position check with other conditions is ambiguous; " +
                "nest the conditions inside `if self.position:` / `if not self.position:`",
            );
          }
          const elsePos: Pos = t.pos ? (t.pos === "flat" ? "long" : "flat") : pos;
          const elsePath = cond ? [...path, negateItem(cond)] : path;
          walk(scope, s.orelse, elsePath, elsePos, out, local);
        }
        break;
      }
      default:
        refuse(scope, s.line, `a \`${s.k}\` statement inside next() is not supported`);
    }
  }
  st.depth--;
}

/** Runs `body` once with the loop variable bound to "the data" (each symbol is evaluated on its own). */
export function forDatas(scope: Scope, s: Extract<PyStmt, { k: "for" }>, body: () => void): void {
  const it = s.iter;
  const isDatas = (e: PyExpr) => isChain(e, "self.datas");
  let names: string[];
  if (isDatas(it) && s.target.k === "name") names = [s.target.id];
  else if (
    it.k === "call" && it.func.k === "name" && it.func.id === "enumerate" && it.args.length === 1 &&
    isDatas(it.args[0]) && it.kwargs.length === 0 && s.target.k === "tuple" && s.target.items.length === 2 &&
    s.target.items.every((x) => x.k === "name")
  ) {
    names = s.target.items.map((x) => (x as { id: string }).id);
  } else {
    return refuse(
      scope,
      s.line,
      "only `for d in self.datas:` and `for i, d in enumerate(self.datas):` loops are supported",
    );
  }
  const saved = names.map((n) => scope.locals.get(n));
  if (names.length === 2) scope.locals.set(names[0], { k: "opaque", what: "the loop index" });
  scope.locals.set(names[names.length - 1], { k: "data" });
  body();
  names.forEach((n, i) => (saved[i] ? scope.locals.set(n, saved[i]!) : scope.locals.delete(n)));
}

function negateItem(c: PathItem): PathItem {
  if (c.k === "rule") return { k: "rule", e: { kind: "not", arg: c.e }, line: c.line };
  if (c.k === "risk") return { k: "notrisk", rule: c.rule ? { kind: "not", arg: c.rule } : null };
  return refuse({ loc: [] } as unknown as Scope, 1, "a doubly negated stop check");
}

/** Whether `e` tests the position: returns the state it asserts when true. */
function positionTest(scope: Scope, e: PyExpr): "flat" | "long" | null {
  const isPos = (x: PyExpr) => {
    if (x.k === "name" && scope.locals.get(x.id)?.k === "position") return true;
    if (isChain(x, "self.position") || isChain(x, "self.position.size")) return true;
    if (x.k === "attr" && x.attr === "size") x = x.value;
    if (x.k !== "call" || x.args.length !== 1 || x.kwargs.length !== 0) return false;
    if (!(isChain(x.func, "self.getposition") || isChain(x.func, "self.broker.getposition"))) return false;
    const d = evaluate(scope, x.args[0]);
    if (d.k !== "data") refuse(scope, x.line, "getposition takes the data feed");
    return true;
  };
  if (e.k === "unary" && e.op === "not" && isPos(e.operand)) return "flat";
  if (isPos(e)) return "long";
  if (e.k === "compare" && e.ops.length === 1 && isPos(e.left)) {
    const r = evaluate(scope, e.comparators[0]);
    if (r.k === "num" && r.v === 0) {
      const op = e.ops[0];
      if (op === "==" || op === "<=") return "flat";
      if (op === ">" || op === "!=") return "long";
      refuse(scope, e.line, "a negative position (short) check is not supported");
    }
    refuse(scope, e.line, "a position is compared with 0 (flat) only");
  }
  return null;
}

/** An `if` test as a position check and/or a condition. */
function splitTest(scope: Scope, e: PyExpr): { pos: "flat" | "long" | null; cond: PathItem | null } {
  const direct = positionTest(scope, e);
  if (direct) return { pos: direct, cond: null };
  const parts = e.k === "bool" && e.op === "and" ? e.values : [e];
  let pos: "flat" | "long" | null = null;
  const rest: PyExpr[] = [];
  for (const p of parts) {
    const t = positionTest(scope, p);
    if (t) {
      if (pos && pos !== t) refuse(scope, e.line, "a test that is never true (flat and long)");
      pos = t;
    } else rest.push(p);
  }
  if (rest.length === 0) return { pos, cond: null };
  const c = condition(scope, rest.length === 1 ? rest[0] : { ...e, k: "bool", op: "and", values: rest });
  if (c.risks.length > 0) return { pos, cond: { k: "risk", risks: c.risks, rule: c.rule, line: e.line } };
  return { pos, cond: { k: "rule", e: c.rule!, line: e.line } };
}

/** The rule of a path (AND of its conditions); risk checks on it go to `out.risks`. */
function pathRule(scope: Scope, path: PathItem[], line: number, exit: boolean, out: Actions): Expr | null {
  const risks = path.filter((p) => p.k === "risk") as Extract<PathItem, { k: "risk" }>[];
  const rules: Expr[] = [];
  for (const p of path) {
    if (p.k === "rule") rules.push(p.e);
    if (p.k === "notrisk") {
      if (!exit) refuse(scope, line, "an order in the `else` of a stop or target check is not supported");
      if (p.rule) rules.push(p.rule);
    }
  }
  if (risks.length > 0) {
    if (!exit) refuse(scope, risks[0].line, "a stop or target check that leads to a buy is not supported");
    if (risks.length > 1 || rules.length > 0) {
      refuse(
        scope,
        risks[0].line,
        "a stop or target check nested with other conditions has no Quantedge form (write it as its own " +
          "`if` inside `if self.position:`)",
      );
    }
    out.risks.push(...risks[0].risks);
    return risks[0].rule;
  }
  return rules.length === 0
    ? ALWAYS
    : rules.reduce((l, r) => ({ kind: "bin", op: "and", left: l, right: r }));
}

function kw(scope: Scope, e: Extract<PyExpr, { k: "call" }>): Map<string, V> {
  return new Map(e.kwargs.map((k) => [k.name, evaluate(scope, k.value)]));
}

function checkData(scope: Scope, kws: Map<string, V>, line: number) {
  const d = kws.get("data");
  if (d && d.k !== "data") refuse(scope, line, "`data=` must be the strategy's data feed");
  kws.delete("data");
}

function statementCall(
  scope: Scope,
  e: PyExpr,
  path: PathItem[],
  pos: Pos,
  out: Actions,
  st: WalkState,
): void {
  if (e.k === "str") return; // a docstring or a bare string
  if (e.k !== "call") refuse(scope, e.line, "an expression statement in next() must be a call");
  const c = e as Extract<PyExpr, { k: "call" }>;
  if (c.func.k === "name" && c.func.id === "print") return;
  if (c.func.k === "attr" && c.func.value.k === "name" && c.func.value.id === "self") {
    const m = c.func.attr;
    if (IGNORED_SELF_CALLS.has(m)) return;
    if (!ORDER_METHODS.has(m)) refuse(scope, c.line, `self.${m}() is not supported in next()`);
    return order(scope, m, c, path, pos, out, st);
  }
  refuse(
    scope,
    c.line,
    "this call in next() is not supported (orders are self.buy/sell/close/order_target_*)",
  );
}

function exectype(scope: Scope, kws: Map<string, V>, line: number): string {
  const t = kws.get("exectype");
  kws.delete("exectype");
  if (!t || t.k === "none") return "Market";
  if (t.k !== "ordertype") refuse(scope, line, "exectype must be a bt.Order type");
  return (t as { v: string }).v;
}

/** The fraction `price / reference` of a protective order price (close- or entry-relative). */
function priceFactor(scope: Scope, v: V | undefined, line: number, what: string): number {
  if (v && v.k === "lin" && v.q === 0 && ((v.c === 0) !== (v.p === 0))) {
    if (v.c !== 0 && v.field !== "close") refuse(scope, line, `${what} must be relative to the close`);
    return v.c !== 0 ? v.c : v.p;
  }
  const f = v && v.k === "series" ? closeFactor(v.e) : null;
  if (f !== null) return f;
  return refuse(
    scope,
    line,
    `${what} must be the close (or the entry price) times a factor, e.g. self.data.close[0] * 0.95`,
  );
}

/** `k` when `e` is `k × close` (constants folded), otherwise `null`. */
function closeFactor(e: Expr): number | null {
  const constant = (x: Expr): number | null => {
    if (x.kind === "num") return x.value;
    if (x.kind === "neg") {
      const c = constant(x.arg);
      return c === null ? null : -c;
    }
    if (x.kind === "bin" && ["+", "-", "*", "/"].includes(x.op)) {
      const a = constant(x.left), b = constant(x.right);
      if (a === null || b === null) return null;
      return x.op === "+" ? a + b : x.op === "-" ? a - b : x.op === "*" ? a * b : a / b;
    }
    return null;
  };
  if (e.kind === "field") return e.name === "close" ? 1 : null;
  if (e.kind === "bin" && (e.op === "*" || e.op === "/")) {
    const l = closeFactor(e.left), rc = constant(e.right);
    if (l !== null && rc !== null) return e.op === "*" ? l * rc : l / rc;
    const lc = constant(e.left), r = closeFactor(e.right);
    if (e.op === "*" && lc !== null && r !== null) return lc * r;
  }
  return null;
}

function protective(scope: Scope, type: string, kws: Map<string, V>, line: number, out: Actions) {
  const price = kws.get("price");
  kws.delete("price");
  if (type === "StopTrail") {
    const tp = kws.get("trailpercent");
    kws.delete("trailpercent");
    if (kws.has("trailamount")) {
      refuse(scope, line, "a trailing stop by amount (trailamount) is not supported");
    }
    if (!tp || tp.k !== "num" || !(tp.v > 0 && tp.v < 1)) {
      refuse(scope, line, "a trailing stop needs trailpercent between 0 and 1 (0.05 = 5 %)");
    }
    out.trailing.push({ pct: clean((tp as { v: number }).v * 100), line });
  } else if (type === "Stop") {
    const f = priceFactor(scope, price, line, "the stop price");
    if (!(f < 1 && f > 0)) refuse(scope, line, "a protective sell stop must be below the price");
    out.risks.push({ kind: "stop_loss", pct: clean((1 - f) * 100), line });
  } else if (type === "Limit") {
    const f = priceFactor(scope, price, line, "the limit price");
    if (!(f > 1)) refuse(scope, line, "a protective sell limit must be above the price");
    out.risks.push({ kind: "take_profit", pct: clean((f - 1) * 100), line });
  } else refuse(scope, line, `a protective sell of type bt.Order.${type} is not supported`);
  for (const k of kws.keys()) {
    if (k !== "size") refuse(scope, line, `the order parameter \`${k}\` is not supported`);
  }
}

function order(
  scope: Scope,
  m: string,
  c: Extract<PyExpr, { k: "call" }>,
  path: PathItem[],
  pos: Pos,
  out: Actions,
  st: WalkState,
): void {
  const line = c.line;
  if (c.args.length > 0) refuse(scope, line, `pass the parameters of self.${m}() by name`);
  const kws = kw(scope, c);
  checkData(scope, kws, line);
  const noExtra = () => {
    for (const k of kws.keys()) {
      refuse(scope, line, `the order parameter \`${k}\` of self.${m}() is not supported`);
    }
  };
  const entry = (sizing: EntrySizing) => {
    if (pos === "long") refuse(scope, line, `self.${m}() while a position is open adds to it (pyramiding)`);
    const rule = pathRule(scope, path, line, false, out)!;
    out.entries.push({ rule, line, sizing });
    st.lastBuy = line;
  };
  const exit = () => {
    const rule = pathRule(scope, path, line, true, out);
    if (rule) out.exits.push({ rule, line });
  };
  const target = () => {
    const t = kws.get("target");
    kws.delete("target");
    if (!t || t.k !== "num" || t.v < 0) refuse(scope, line, `self.${m}() needs target= a number ≥ 0`);
    return (t as { v: number }).v;
  };
  switch (m) {
    case "buy": {
      const type = exectype(scope, kws, line);
      if (type !== "Market") {
        refuse(scope, line, `a buy of type bt.Order.${type} is not supported (market only)`);
      }
      if (pos !== "flat") {
        refuse(
          scope,
          line,
          "self.buy() outside `if not self.position:` would add to an open position (pyramiding); " +
            "check the position first",
        );
      }
      const size = kws.get("size");
      kws.delete("size");
      noExtra();
      if (size && (size.k !== "num" || !Number.isInteger(size.v) || size.v < 1)) {
        refuse(scope, line, "size must be a whole number of shares");
      }
      return entry(size ? { method: "fixed_quantity", quantity: (size as { v: number }).v } : null);
    }
    case "buy_bracket": {
      if (pos !== "flat") refuse(scope, line, "self.buy_bracket() outside `if not self.position:`");
      const stop = kws.get("stopprice"), limit = kws.get("limitprice");
      kws.delete("stopprice");
      kws.delete("limitprice");
      if (kws.has("price")) refuse(scope, line, "a bracket with an entry limit price is not supported");
      const size = kws.get("size");
      kws.delete("size");
      if (size && (size.k !== "num" || !Number.isInteger(size.v) || size.v < 1)) {
        refuse(scope, line, "size must be a whole number of shares");
      }
      noExtra();
      if (stop && stop.k !== "none") {
        const f = priceFactor(scope, stop, line, "stopprice");
        if (!(f > 0 && f < 1)) refuse(scope, line, "stopprice must be below the price");
        out.risks.push({ kind: "stop_loss", pct: clean((1 - f) * 100), line });
      }
      if (limit && limit.k !== "none") {
        const f = priceFactor(scope, limit, line, "limitprice");
        if (!(f > 1)) refuse(scope, line, "limitprice must be above the price");
        out.risks.push({ kind: "take_profit", pct: clean((f - 1) * 100), line });
      }
      return entry(size ? { method: "fixed_quantity", quantity: (size as { v: number }).v } : null);
    }
    case "sell":
    case "close": {
      const type = exectype(scope, kws, line);
      if (type !== "Market") {
        if (st.lastBuy === undefined && pos !== "long") {
          refuse(scope, line, `a sell of type bt.Order.${type} that does not protect a buy just placed`);
        }
        return protective(scope, type, kws, line, out);
      }
      kws.delete("size");
      noExtra();
      if (m === "sell" && pos !== "long") {
        refuse(
          scope,
          line,
          "self.sell() outside `if self.position:` would open a short position, which is not supported; " +
            "use self.close() to exit",
        );
      }
      return exit();
    }
    case "order_target_percent":
    case "order_target_value":
    case "order_target_size": {
      const t = target();
      if (kws.has("exectype")) {
        exectype(scope, kws, line) === "Market" || refuse(scope, line, "market orders only");
      }
      noExtra();
      if (t === 0) return exit();
      if (m === "order_target_percent") {
        if (t > 1) refuse(scope, line, "target above 1 (100 %) would borrow");
        return entry({ method: "percent_equity", percent: clean(t * 100) });
      }
      if (m === "order_target_value") return entry({ method: "fixed_cash", cash: t });
      if (!Number.isInteger(t)) refuse(scope, line, "target must be a whole number of shares");
      return entry({ method: "fixed_quantity", quantity: t });
    }
    default:
      return refuse(scope, line, `self.${m}() is not supported`);
  }
}

/** Reads `notify_order(self, order)`: only protective sells (stop, limit, trailing) may be placed there. */
export function readNotifyOrder(scope: Scope, body: PyStmt[], out: Actions): void {
  const visit = (stmts: PyStmt[]) => {
    for (const s of stmts) {
      if (s.k === "if") (visit(s.body), visit(s.orelse));
      else if (s.k === "for") visit(s.body);
      else if (s.k === "expr" || s.k === "assign") {
        const v = s.k === "expr" ? s.value : s.value;
        if (
          v.k === "call" && v.func.k === "attr" && v.func.value.k === "name" && v.func.value.id === "self" &&
          ORDER_METHODS.has(v.func.attr)
        ) {
          const m = v.func.attr;
          if (m !== "sell" && m !== "close") {
            refuse(scope, v.line, `self.${m}() in notify_order is not supported`);
          }
          const kws = kw(scope, v);
          checkData(scope, kws, v.line);
          const type = exectype(scope, kws, v.line);
          if (type === "Market") refuse(scope, v.line, "a market order in notify_order is not supported");
          protective(scope, type, kws, v.line, out);
        }
      }
    }
  };
  visit(body);
}
