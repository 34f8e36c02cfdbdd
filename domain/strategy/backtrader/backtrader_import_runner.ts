/**
 * Reads the runner part of backtrader code (top level, `if __name__ == "__main__":`, or a top-level function
 * it calls): `bt.Cerebro()`, `addstrategy`, the data feeds, the broker's cash, commission, slippage and
 * cheat-on-close, and the sizer. Analyzers, observers, writers, `run` and `plot` are ignored; other cerebro or
 * broker calls are a 422 naming the line.
 */
import type { PyExpr, PyStmt } from "../python/python_parser.ts";
import { evaluate } from "./backtrader_import_eval.ts";
import { clean, refuse, type Scope, type V } from "./backtrader_import_values.ts";

/** What the runner sets up. */
export interface Runner {
  strategy: { name: string; kwargs: Map<string, V>; line: number } | null;
  feeds: { ticker: string; start: string | null; end: string | null; line: number }[];
  sizer: { sizing: Record<string, unknown>; line: number } | null;
  /** Spec fields the runner gives (capital, costs, fill, universe, start, end). */
  fields: Record<string, unknown>;
}

const IGNORED_CEREBRO = new Set(["run", "plot", "addanalyzer", "addobserver", "addwriter", "getbroker"]);
const IGNORED_BROKER = new Set(["getvalue", "get_value", "getcash", "get_cash"]);

/** Reads `body` (the module's statements other than imports and classes). */
export function readRunner(scope: Scope, body: PyStmt[]): Runner {
  const r: Runner = { strategy: null, feeds: [], sizer: null, fields: {} };
  const functions = new Map<string, Extract<PyStmt, { k: "def" }>>();
  const costs: Record<string, number> = {};
  let calls = 0;
  const walk = (stmts: PyStmt[], depth: number) => {
    if (depth > 8) refuse(scope, stmts[0]?.line ?? 1, "the runner is nested too deeply");
    for (const s of stmts) {
      if (s.k === "pass") continue;
      if (s.k === "def") {
        functions.set(s.name, s);
        continue;
      }
      if (s.k === "if") {
        const t = s.test;
        const main = t.k === "compare" && t.ops.length === 1 && t.ops[0] === "==" &&
          ((t.left.k === "name" && t.left.id === "__name__" && t.comparators[0].k === "str" &&
            t.comparators[0].value === "__main__") ||
            (t.comparators[0].k === "name" && t.comparators[0].id === "__name__" && t.left.k === "str" &&
              t.left.value === "__main__"));
        if (!main || s.orelse.length > 0) {
          refuse(scope, s.line, 'an `if` in the runner other than `if __name__ == "__main__":`');
        }
        walk(s.body, depth + 1);
        continue;
      }
      if (s.k === "for") {
        const items = evaluate(scope, s.iter);
        if (items.k !== "list" || s.target.k !== "name") {
          refuse(scope, s.line, "a loop in the runner must go over a literal list (e.g. of tickers)");
        }
        const list = (items as { items: V[] }).items;
        if (list.length > 500) refuse(scope, s.line, "more than 500 items");
        for (const item of list) {
          scope.locals.set((s.target as { id: string }).id, item);
          walk(s.body, depth + 1);
        }
        continue;
      }
      if (s.k === "expr") {
        const v = s.value;
        if (v.k === "str") continue;
        if (v.k === "call" && v.func.k === "name" && functions.has(v.func.id)) {
          if (++calls > 20) refuse(scope, s.line, "too many runner calls");
          if (v.args.length > 0 || v.kwargs.length > 0) {
            refuse(scope, s.line, "a runner function takes no arguments");
          }
          walk(functions.get(v.func.id)!.body, depth + 1);
          continue;
        }
        statement(v);
        continue;
      }
      if (s.k === "assign") {
        const value = s.value.k === "call" && isMethodCall(s.value)
          ? statement(s.value)
          : evaluate(scope, s.value);
        for (const t of s.targets) {
          if (t.k !== "name") refuse(scope, s.line, "the runner assigns to plain names only");
          scope.locals.set((t as { id: string }).id, value);
        }
        continue;
      }
      refuse(scope, s.line, `a \`${s.k}\` statement in the runner is not supported`);
    }
  };

  const isMethodCall = (e: Extract<PyExpr, { k: "call" }>) => {
    if (e.func.k !== "attr") return false;
    const owner = evaluate(scope, e.func.value);
    return owner.k === "cerebro" || owner.k === "broker";
  };

  const statement = (e: PyExpr): V => {
    if (e.k !== "call") return evaluate(scope, e);
    if (e.func.k === "name" && e.func.id === "print") return { k: "opaque", what: "print" };
    if (e.func.k !== "attr") return evaluate(scope, e);
    const owner = evaluate(scope, e.func.value);
    const m = e.func.attr;
    const line = e.line;
    if (owner.k === "cerebro") {
      if (m === "optstrategy") refuse(scope, line, "cerebro.optstrategy (optimisation) is not supported");
      if (m === "resampledata" || m === "replaydata") {
        refuse(scope, line, `cerebro.${m}: only daily bars are supported`);
      }
      if (IGNORED_CEREBRO.has(m)) return { k: "opaque", what: `cerebro.${m}` };
    }
    const args = e.args.map((a) => evaluate(scope, a));
    const kw = new Map(e.kwargs.map((k) => [k.name, evaluate(scope, k.value)]));
    const numArg = (name: string, i = 0): number => {
      const v = kw.get(name) ?? args[i];
      if (!v || v.k !== "num") refuse(scope, line, `${m}() needs ${name} as a number`);
      return (v as { v: number }).v;
    };
    const only = (...names: string[]) => {
      for (const k of kw.keys()) if (!names.includes(k)) refuse(scope, line, `${m}(${k}=…) is not supported`);
    };
    if (owner.k === "cerebro") {
      if (m === "addstrategy") {
        const cls = args[0];
        if (!cls || cls.k !== "class" || args.length > 1) {
          refuse(scope, line, "addstrategy(StrategyClass, param=…)");
        }
        if (r.strategy) refuse(scope, line, "several strategies added (one at a time is supported)");
        r.strategy = { name: (cls as { name: string }).name, kwargs: kw, line };
        return { k: "opaque", what: "strategy" };
      }
      if (m === "adddata") {
        const f = args[0];
        if (!f || f.k !== "feed") refuse(scope, line, "adddata takes a bt.feeds data feed");
        only("name");
        const feed = f as Extract<V, { k: "feed" }>;
        const name = kw.get("name");
        if (name && name.k !== "str") refuse(scope, line, "name must be a string");
        r.feeds.push({
          ticker: name ? (name as { v: string }).v : feed.ticker!,
          start: feed.start,
          end: feed.end,
          line,
        });
        return { k: "opaque", what: "data" };
      }
      if (m === "addsizer") {
        r.sizer = { sizing: sizer(scope, args, kw, line), line };
        return { k: "opaque", what: "sizer" };
      }
      return refuse(scope, line, `cerebro.${m}() is not supported`);
    }
    if (owner.k === "broker") {
      if (IGNORED_BROKER.has(m)) return { k: "opaque", what: `broker.${m}` };
      if (m === "setcash" || m === "set_cash") {
        only("cash");
        r.fields.capital = numArg("cash");
        return { k: "none" };
      }
      if (m === "setcommission") {
        only("commission", "percabs", "stocklike");
        const pa = kw.get("percabs");
        if (pa && !(pa.k === "bool" && pa.v)) {
          refuse(scope, line, "percabs=False is not supported (give the fraction)");
        }
        const c = numArg("commission");
        if (c < 0 || c > 0.1) refuse(scope, line, "commission must be a fraction between 0 and 0.1");
        costs.buy_fee_pct = costs.sell_fee_pct = clean(c * 100);
        r.fields.costs = { ...costs };
        return { k: "none" };
      }
      if (m === "set_slippage_perc") {
        only("perc", "slip_open", "slip_limit", "slip_match", "slip_out");
        const p = numArg("perc");
        if (p < 0 || p > 0.1) refuse(scope, line, "perc must be a fraction between 0 and 0.1");
        costs.slippage_pct = clean(p * 100);
        r.fields.costs = { ...costs };
        return { k: "none" };
      }
      if (m === "set_coc") {
        const v = kw.get("coc") ?? args[0];
        if (!v || v.k !== "bool") refuse(scope, line, "set_coc(True) or set_coc(False)");
        r.fields.fill = (v as { v: boolean }).v ? "close" : "next_open";
        return { k: "none" };
      }
      return refuse(scope, line, `broker.${m}() is not supported`);
    }
    return evaluate(scope, e);
  };

  walk(body, 0);
  if (r.feeds.length > 0) {
    const tickers = r.feeds.map((f) => f.ticker);
    if (new Set(tickers).size !== tickers.length) {
      refuse(scope, r.feeds[0].line, "the same ticker is added twice");
    }
    r.fields.universe = { tickers };
    for (const key of ["start", "end"] as const) {
      const values = new Set(r.feeds.map((f) => f[key]).filter((d) => d !== null));
      if (values.size > 1) {
        refuse(
          scope,
          r.feeds[1].line,
          `the feeds have different ${key === "start" ? "fromdate" : "todate"}s`,
        );
      }
      if (values.size === 1) r.fields[key] = [...values][0];
    }
  }
  return r;
}

function sizer(scope: Scope, args: V[], kw: Map<string, V>, line: number): Record<string, unknown> {
  const cls = args[0];
  if (!cls || cls.k !== "module" || !cls.path.startsWith("bt.sizers.") || args.length > 1) {
    refuse(scope, line, "addsizer(bt.sizers.PercentSizer, percents=…) / AllInSizer / FixedSize, stake=…");
  }
  const name = (cls as { path: string }).path.slice("bt.sizers.".length);
  const num = (key: string): number | undefined => {
    const v = kw.get(key);
    if (v === undefined) return undefined;
    if (v.k !== "num") refuse(scope, line, `${key} must be a number`);
    return (v as { v: number }).v;
  };
  for (const k of kw.keys()) {
    const ok = (name.startsWith("PercentSizer") && k === "percents") ||
      (name.startsWith("AllInSizer") && k === "percents") ||
      ((name === "FixedSize" || name === "SizerFix") && (k === "stake" || k === "tranches"));
    if (!ok) refuse(scope, line, `bt.sizers.${name}(${k}=…) is not supported`);
  }
  if (name === "PercentSizer" || name === "PercentSizerInt") {
    const p = num("percents") ?? 20;
    if (!(p > 0 && p <= 100)) refuse(scope, line, "percents must be in (0, 100]");
    return { method: "percent_equity", percent: p };
  }
  if (name === "AllInSizer" || name === "AllInSizerInt") {
    const p = num("percents") ?? 100;
    if (!(p > 0 && p <= 100)) refuse(scope, line, "percents must be in (0, 100]");
    return { method: "percent_equity", percent: p };
  }
  if (name === "FixedSize" || name === "SizerFix") {
    const stake = num("stake") ?? 1;
    if (num("tranches") !== undefined && num("tranches") !== 1) {
      refuse(scope, line, "tranches are not supported");
    }
    if (!Number.isInteger(stake) || stake < 1) refuse(scope, line, "stake must be a whole number ≥ 1");
    return { method: "fixed_quantity", quantity: stake };
  }
  return refuse(
    scope,
    line,
    `the sizer bt.sizers.${name} is not supported (PercentSizer, AllInSizer, FixedSize)`,
  );
}
