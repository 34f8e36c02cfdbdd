/**
 * Backtrader Python → Quantedge strategy spec. The code is parsed (`../python/python_parser.ts`), never run; a
 * small subset, written the way backtrader users write it, is translated into the expression language and
 * validated with `StrategySpecSchema`. Anything outside the subset is a 422 (`ValidationError` at `loc`) whose
 * message names the construct and the line — never a silently different strategy. Code that defines no
 * `bt.Strategy` subclass is a 422 of type `no_strategy`.
 *
 * | backtrader | spec |
 * | --- | --- |
 * | `class SmaCross(bt.Strategy)` | `name` "Sma Cross" (a `name` param wins) |
 * | `params = (('fast', 10),)` / `params = dict(fast=10)`, `self.p.fast` / `self.params.fast`, `cerebro.addstrategy(S, fast=5)` | the number, inlined |
 * | `bt.ind.SMA` / `SimpleMovingAverage` / `MovingAverageSimple` (period 30 by default) | `sma(x, n)` |
 * | `bt.ind.EMA` / `ExponentialMovingAverage` | `ema(x, n)` |
 * | `bt.ind.RSI` / `RSI_SMMA` / `RSI_Safe` (Wilder) | `rsi(x, n)`; `RSI_SMA`, `RSI_EMA` → 422 |
 * | `bt.ind.MACD(...)`, `.macd` `.signal` `.histo` | `macd`, `macd_signal`, `macd_hist` |
 * | `bt.ind.BollingerBands(period, devfactor)`, `.top` `.mid` `.bot` | `bb_upper`, `bb_middle`, `bb_lower` |
 * | `bt.ind.ATR(period)` | `atr(n)` |
 * | `bt.ind.Highest` / `Lowest` (`MaxN`/`MinN`), `bt.ind.StdDev` | `highest`, `lowest`, `stdev` |
 * | `bt.ind.CrossOver(a, b)` `> 0` / `== 1` · `< 0` / `== -1`; `CrossUp`, `CrossDown` | `crosses_above(a, b)` · `crosses_below(a, b)` |
 * | `self.data.close[0]`, `self.data[0]`, `self.datas[0].close`, `self.dataclose[0]` (alias), loop `d.close` | `close` (also `open high low volume`) |
 * | `x[-k]` | `delay(x, k)` |
 * | `if not self.position:` … `self.buy()` / `self.order_target_percent(target=t)` | `entry` (branches OR-ed, `and` kept) |
 * | `if self.position:` / `else:` … `self.close()` / `self.sell()` / `order_target_percent(target=0)` | `exit` |
 * | `self.data.close[0] < self.buyprice * 0.95` (or `self.position.price * (1 - self.p.stop)`) | `risk.stop_loss_pct` 5 |
 * | `self.data.close[0] > self.buyprice * 1.1` | `risk.take_profit_pct` 10 |
 * | `self.buy_bracket(stopprice=c*0.95, limitprice=c*1.1)`; `self.sell(exectype=bt.Order.Stop / Limit, price=…)` | stop loss / take profit |
 * | `self.sell(exectype=bt.Order.StopTrail, trailpercent=0.05)` | `risk.trailing_stop_pct` 5 |
 * | `self.buy(size=n)`, `order_target_size`, `order_target_value`, `order_target_percent` | `sizing` fixed_quantity / fixed_cash / percent_equity |
 * | `cerebro.addsizer(bt.sizers.PercentSizer, percents=p)` / `AllInSizer` / `FixedSize, stake=n`; none: 1 share | `sizing` |
 * | `for d in self.datas:` / `for i, d in enumerate(self.datas):` | the rule for every symbol; `max_positions` = the feeds |
 * | `cerebro.broker.setcash(x)` (backtrader's default 10 000) | `capital` |
 * | `setcommission(commission=0.001)` (none: 0) | `costs` buy/sell fee 0.1 % |
 * | `set_slippage_perc(0.001)` | `costs.slippage_pct` 0.1 |
 * | `set_coc(True)` | `fill` "close" (otherwise "next_open") |
 * | `bt.feeds.YahooFinanceData(dataname='AAPL', fromdate=…, todate=…)`, `GenericCSVData` / `YahooFinanceCSVData` (file name without extension), `PandasData(dataname=pd.read_csv(path))`, `adddata(d, name=…)` | `universe.tickers`, `start`, `end` |
 * | `# quantedge: key: value` comment lines | that strategy-text field (a conflict with the code → 422) |
 *
 * Quantedge's own export (`toBacktraderCode`, an emulation of the engine with `entry_signal`/`exit_signal`) is
 * not run as a program: its fields are read from the shapes the exporter writes and its `# quantedge:` lines, and
 * the spec is accepted only when re-exporting it gives the same code (`backtrader_import_export_form.ts`), so an
 * edited export is a 422 naming the first line that differs.
 *
 * Ignored: `print`, `self.log`, docstrings, `self.order` guards, analyzers, observers, `cerebro.run/plot`, the
 * bodies of `log`, `start`, `stop`, `notify_trade` (and of `notify_order` except protective sells).
 */
import { ValidationError } from "../../errors.ts";
import { type Expr, parseExpression, printExpression } from "../expression.ts";
import { parsePython, type PyExpr, type PyStmt } from "../python/python_parser.ts";
import type { StrategySpec } from "../spec.ts";
import { STRATEGY_TEXT_KEYS, validSpecAt } from "../strategy_text.ts";
import { evaluate } from "./backtrader_import_eval.ts";
import { type Actions, forDatas, readNext, readNotifyOrder } from "./backtrader_import_next.ts";
import { readRunner, type Runner } from "./backtrader_import_runner.ts";
import { exportFormLine, readExportForm } from "./backtrader_import_export_form.ts";
import { tokenizePython } from "../python/python_lexer.ts";
import { isChain, modulePath, refuse, type Scope, type V } from "./backtrader_import_values.ts";

const IGNORED_METHODS = new Set([
  "log",
  "start",
  "stop",
  "notify_trade",
  "notify_cashvalue",
  "notify_fund",
  "notify_store",
  "notify_data",
  "notify_timer",
]);

/** Strategy-text keys a `# quantedge:` comment may give, and which hold expressions. */
const TEXT_KEYS: readonly string[] = STRATEGY_TEXT_KEYS;
const EXPRESSION_KEYS = new Set(["entry", "exit", "rank_by"]);

/** Whether `code` is Python rather than strategy text (an import, a class or a function definition). */
export function looksLikePython(code: string): boolean {
  return code.split(/\r?\n/, 2_001).some((line) =>
    /^\s*(import\s+[A-Za-z_]|from\s+[A-Za-z_][\w.]*\s+import\b|class\s+\w+\s*[(:]|def\s+\w+\s*\()/.test(line)
  );
}

/**
 * The spec a backtrader strategy describes; a 422 naming the construct and the line otherwise. `defaults` fill
 * fields neither the code nor its comments give (e.g. the universe of a one-ticker run).
 */
export function parseBacktraderCode(
  code: string,
  loc: (string | number)[],
  defaults: Partial<Record<string, unknown>> = {},
): StrategySpec {
  const exportLine = exportFormLine(code);
  if (exportLine > 0) {
    const { comments } = tokenizePython(code, loc);
    return readExportForm(code, loc, exportLine, comments, commentFields(comments, loc), defaults);
  }
  const module = parsePython(code, loc);
  const scope: Scope = {
    locals: new Map(),
    attrs: new Map(),
    params: new Map(),
    modules: new Map(),
    classes: new Set(),
    feedCount: null,
    loc,
  };
  const strategies: Extract<PyStmt, { k: "class" }>[] = [];
  const runnerBody: PyStmt[] = [];
  for (const s of module.body) {
    if (s.k === "import") {
      for (const n of s.names) {
        if (n.as) scope.modules.set(n.as, modulePath(n.name));
        else scope.modules.set(n.name.split(".")[0], modulePath(n.name.split(".")[0]));
      }
    } else if (s.k === "from") {
      if (s.module === "__future__") continue;
      for (const n of s.names) scope.modules.set(n.as ?? n.name, modulePath(`${s.module}.${n.name}`));
    } else if (s.k === "class") {
      scope.classes.add(s.name);
      const bases = s.bases.map((b) => evaluate(scope, b));
      if (bases.some((b) => b.k === "module" && b.path === "bt.Strategy")) strategies.push(s);
      else if (bases.some((b) => b.k === "module" && b.path === "bt.SignalStrategy")) {
        refuse(scope, s.line, "bt.SignalStrategy is not supported; subclass bt.Strategy");
      } else {
        refuse(
          scope,
          s.line,
          `the class ${s.name} is not a bt.Strategy (custom indicators are not supported)`,
        );
      }
    } else runnerBody.push(s);
  }
  if (strategies.length === 0) {
    throw new ValidationError(
      "line 1: the code defines no backtrader strategy (a class deriving from bt.Strategy with a next() method)",
      loc,
      "no_strategy",
    );
  }
  const runner = readRunner(scope, runnerBody);
  let cls = strategies[0];
  if (strategies.length > 1) {
    const added = strategies.find((s) => s.name === runner.strategy?.name);
    if (!added) {
      refuse(
        scope,
        strategies[1].line,
        "several strategy classes: add the one to run with cerebro.addstrategy",
      );
    }
    cls = added!;
  } else if (runner.strategy && runner.strategy.name !== cls.name) {
    refuse(scope, runner.strategy.line, `cerebro.addstrategy names ${runner.strategy.name}, not ${cls.name}`);
  }
  scope.feedCount = runner.feeds.length > 0 ? runner.feeds.length : null;
  scope.locals = new Map();
  const actions = readStrategy(scope, cls, runner);
  if (!actions.multiData && runner.feeds.length > 1) {
    refuse(
      scope,
      runner.feeds[1].line,
      "the strategy trades self.data only, but several data feeds are added; loop over self.datas",
    );
  }
  const fromCode = assemble(scope, cls, runner, actions);
  const fromComments = commentFields(module.comments, loc);
  const raw = merge(fromCode, fromComments, loc);
  // backtrader's defaults where neither the code nor a comment says: 10 000 cash, no commission, one share.
  const weakName = { name: deCamel(cls.name) };
  const btDefaults: Record<string, unknown> = {
    capital: 10_000,
    costs: { buy_fee_pct: 0, sell_fee_pct: 0 },
    sizing: { method: "fixed_quantity", quantity: 1 },
    ...weakName,
  };
  for (const [k, v] of Object.entries(btDefaults)) {
    if (!(k in raw)) raw[k] = v;
    else if (isObject(v) && isObject(raw[k])) {
      const cur = raw[k] as Record<string, unknown>;
      if (k !== "sizing" || !("method" in cur)) raw[k] = { ...v, ...cur };
    }
  }
  for (const [k, v] of Object.entries(defaults)) if (!(k in raw)) raw[k] = v;
  return validSpecAt(raw, loc);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `SmaCrossStrategy` → "Sma Cross Strategy", `RSIMeanReversion` → "RSI Mean Reversion". */
export function deCamel(name: string): string {
  const words = name
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .trim();
  return words === "" ? "Untitled strategy" : words;
}

function readParams(scope: Scope, cls: Extract<PyStmt, { k: "class" }>, runner: Runner) {
  for (const s of cls.body) {
    if (s.k !== "assign" || s.targets.length !== 1 || s.targets[0].k !== "name") continue;
    const target = s.targets[0].id;
    if (target !== "params") continue;
    const v = evaluate(scope, s.value);
    if (v.k === "dict") { for (const [k, x] of v.m) scope.params.set(k, x); }
    else if (v.k === "list") {
      for (const item of v.items) {
        if (item.k !== "list" || item.items.length !== 2 || item.items[0].k !== "str") {
          refuse(scope, s.line, "params must be pairs like (('period', 20),) or dict(period=20)");
        }
        const [k, x] = (item as { items: V[] }).items;
        scope.params.set((k as { v: string }).v, x);
      }
    } else refuse(scope, s.line, "params must be a tuple of pairs or a dict");
  }
  for (const [k, v] of runner.strategy?.kwargs ?? []) {
    if (!scope.params.has(k)) {
      refuse(
        scope,
        runner.strategy!.line,
        `cerebro.addstrategy sets \`${k}\`, which params does not declare`,
      );
    }
    scope.params.set(k, v);
  }
}

function readStrategy(scope: Scope, cls: Extract<PyStmt, { k: "class" }>, runner: Runner): Actions {
  readParams(scope, cls, runner);
  const actions: Actions = { entries: [], exits: [], risks: [], trailing: [], multiData: false };
  const methods = new Map<string, Extract<PyStmt, { k: "def" }>>();
  for (const s of cls.body) {
    if (s.k === "def") {
      if (methods.has(s.name)) refuse(scope, s.line, `the method ${s.name} is defined twice`);
      methods.set(s.name, s);
    } else if (s.k === "assign" && s.targets.length === 1 && s.targets[0].k === "name") {
      const t = s.targets[0].id;
      if (t !== "params" && t !== "plotinfo" && t !== "plotlines" && t !== "alias") {
        refuse(scope, s.line, `the class attribute \`${t}\` is not supported (params only)`);
      }
    } else if (s.k === "expr" && (s.value.k === "str" || s.value.k === "ellipsis")) continue;
    else if (s.k !== "pass") {
      refuse(scope, s.line, `a \`${s.k}\` statement in the class body is not supported`);
    }
  }
  if (!methods.has("next")) refuse(scope, cls.line, `${cls.name} has no next() method`);
  for (const [name, def] of methods) {
    if (name === "__init__" || name === "next" || IGNORED_METHODS.has(name) || name === "notify_order") {
      continue;
    }
    refuse(
      scope,
      def.line,
      `the method ${name}() is not supported (only __init__, next and the notify hooks)`,
    );
  }
  const init = methods.get("__init__");
  if (init) readInit(scope, init.body);
  const notify = methods.get("notify_order");
  if (notify) {
    scope.locals = new Map();
    scope.orderParam = notify.params[1]?.name;
    readNotifyOrder(scope, notify.body, actions);
    scope.orderParam = undefined;
  }
  scope.locals = new Map();
  readNext(scope, methods.get("next")!.body, actions);
  return actions;
}

function assign(scope: Scope, target: PyExpr, value: V, line: number): void {
  if (target.k === "tuple" || target.k === "list") {
    if (value.k !== "list" || value.items.length !== target.items.length) {
      refuse(scope, line, "the tuple assignment does not match its values");
    }
    target.items.forEach((t, i) => assign(scope, t, (value as { items: V[] }).items[i], line));
    return;
  }
  if (target.k === "name") return void scope.locals.set(target.id, value);
  if (target.k === "attr" && target.value.k === "name" && target.value.id === "self") {
    // `self.order = None`, `self.buyprice = None`: state set later by the broker, not a value.
    if (value.k === "none") return;
    return void scope.attrs.set(target.attr, value);
  }
  if (target.k === "sub") {
    const container = evaluate(scope, target.value);
    const key = evaluate(scope, target.index);
    if (container.k !== "dict") refuse(scope, line, "only dicts can be assigned into");
    const k = key.k === "str" ? key.v : key.k === "data" ? "<data>" : null;
    if (k === null) refuse(scope, line, "a dict key must be a string or the data feed");
    (container as { m: Map<string, V> }).m.set(k!, value);
    return;
  }
  refuse(scope, line, "this assignment target is not supported");
}

function readInit(scope: Scope, body: PyStmt[], depth = 0): void {
  if (depth > 5) refuse(scope, body[0]?.line ?? 1, "loops nested too deeply in __init__");
  for (const s of body) {
    if (s.k === "pass") continue;
    if (s.k === "expr") {
      const v = s.value;
      if (v.k === "str") continue;
      if (v.k === "call" && (isChain(v.func, "self.log") || (v.func.k === "name" && v.func.id === "print"))) {
        continue;
      }
      evaluate(scope, v);
    } else if (s.k === "assign") {
      const value = evaluate(scope, s.value);
      for (const t of s.targets) assign(scope, t, value, s.line);
    } else if (s.k === "for") forDatas(scope, s, () => readInit(scope, s.body, depth + 1));
    else refuse(scope, s.line, `a \`${s.k}\` statement in __init__ is not supported`);
  }
}

/** Prints `e` canonically (printed, re-parsed, printed again). */
function canonical(e: Expr): string {
  return printExpression(parseExpression(printExpression(e)));
}

function assemble(
  scope: Scope,
  cls: Extract<PyStmt, { k: "class" }>,
  runner: Runner,
  a: Actions,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const nameParam = scope.params.get("name");
  if (nameParam && nameParam.k === "str") raw.name = nameParam.v;
  if (a.entries.length === 0) refuse(scope, cls.line, `${cls.name}.next() never buys`);
  const or = (rules: Expr[]): Expr => rules.reduce((l, r) => ({ kind: "bin", op: "or", left: l, right: r }));
  raw.entry = canonical(or(a.entries.map((x) => x.rule)));
  raw.exit = a.exits.length === 0 ? "0 > 1" : canonical(or(a.exits.map((x) => x.rule)));
  // Sizing: what the orders say, else the sizer, else backtrader's one share.
  const asked = a.entries.map((x) => x.sizing);
  const explicit = asked.filter((s) => s !== null);
  if (explicit.length > 0 && explicit.length < asked.length && runner.sizer === null) {
    refuse(scope, a.entries[0].line, "some buys give a size and others use the sizer's");
  }
  const distinct = new Set(explicit.map((s) => JSON.stringify(s)));
  if (distinct.size > 1) refuse(scope, a.entries[1].line, "the buys ask for different position sizes");
  let sizing: Record<string, unknown> | null = explicit[0] ?? runner.sizer?.sizing ??
    (a.multiData && runner.feeds.length > 1 ? { method: "fixed_quantity", quantity: 1 } : null);
  if (explicit.length > 0 && runner.sizer && explicit.length < asked.length) {
    if (JSON.stringify(runner.sizer.sizing) !== JSON.stringify(explicit[0])) {
      refuse(scope, runner.sizer.line, "the sizer and the buys' own sizes differ");
    }
  }
  if (sizing && a.multiData && runner.feeds.length > 1) {
    sizing = { ...sizing, max_positions: runner.feeds.length };
  }
  if (sizing) raw.sizing = sizing;
  // Risk.
  const risk: Record<string, number> = {};
  for (const r of a.risks) {
    const key = r.kind === "stop_loss" ? "stop_loss_pct" : "take_profit_pct";
    if (key in risk && risk[key] !== r.pct) {
      refuse(
        scope,
        r.line,
        `a second ${r.kind.replace("_", " ")} (${r.pct} %) differs from the first (${risk[key]} %)`,
      );
    }
    risk[key] = r.pct;
  }
  for (const t of a.trailing) {
    if ("trailing_stop_pct" in risk && risk.trailing_stop_pct !== t.pct) {
      refuse(scope, t.line, "two different trailing stops");
    }
    risk.trailing_stop_pct = t.pct;
  }
  if (Object.keys(risk).length > 0) raw.risk = risk;
  Object.assign(raw, runner.fields);
  return raw;
}

function commentFields(
  comments: { line: number; key: string; value: string }[],
  loc: (string | number)[],
): Map<string, { value: unknown; line: number }> {
  const out = new Map<string, { value: unknown; line: number }>();
  for (const c of comments) {
    if (!TEXT_KEYS.includes(c.key)) {
      throw new ValidationError(
        `line ${c.line}: unknown key "${c.key}" in a "# quantedge:" comment (keys: ${TEXT_KEYS.join(", ")})`,
        loc,
        "invalid_comment",
      );
    }
    if (out.has(c.key)) {
      throw new ValidationError(`line ${c.line}: "${c.key}" given twice in comments`, loc, "invalid_comment");
    }
    let value: unknown;
    if (EXPRESSION_KEYS.has(c.key)) {
      try {
        value = printExpression(parseExpression(c.value));
      } catch (e) {
        throw new ValidationError(
          `line ${c.line}: ${c.key}: ${(e as Error).message}`,
          loc,
          "invalid_comment",
        );
      }
    } else {
      try {
        value = JSON.parse(c.value);
      } catch {
        throw new ValidationError(
          `line ${c.line}: the value of "${c.key}" is not valid JSON`,
          loc,
          "invalid_comment",
        );
      }
    }
    out.set(c.key, { value, line: c.line });
  }
  return out;
}

/** The code's fields with the comments' added; a field both give differently is a 422. */
function merge(
  code: Record<string, unknown>,
  comments: Map<string, { value: unknown; line: number }>,
  loc: (string | number)[],
): Record<string, unknown> {
  const raw = { ...code };
  for (const [key, { value, line }] of comments) {
    if (!(key in raw)) {
      raw[key] = value;
      continue;
    }
    const mine = raw[key];
    const conflict = (what: string, a: unknown, b: unknown): never => {
      throw new ValidationError(
        `line ${line}: the comment gives ${what} ${JSON.stringify(b)}, the code ${JSON.stringify(a)}`,
        loc,
        "conflicting_fields",
      );
    };
    if (isObject(mine) && isObject(value)) {
      const merged: Record<string, unknown> = { ...value };
      for (const [k, v] of Object.entries(mine)) {
        // The number of feeds only suggests max_positions; a comment's value wins.
        if (key === "sizing" && k === "max_positions" && k in value) continue;
        if (k in value && JSON.stringify(value[k]) !== JSON.stringify(v)) {
          conflict(`${key}.${k}`, v, value[k]);
        }
        merged[k] = v;
      }
      raw[key] = merged;
    } else if (JSON.stringify(mine) !== JSON.stringify(value)) conflict(key, mine, value);
  }
  return raw;
}
