/**
 * The cost model of expression evaluation, used to refuse over-budget work before it runs and to slice the work
 * that is allowed so the event loop keeps turning.
 *
 * Evaluation (`evaluate.ts`) computes every distinct sub-expression once per symbol, as a whole column of the
 * symbol's `N` bars. So the cost of a set of rules on one symbol is the sum, over its distinct sub-expressions
 * (identical text counted once, as the evaluation cache does), of each operator's own cost:
 *
 *   own cost = perBar × N + perStep × max(0, N − w + 1) × w
 *
 * where `w` is the operator's window. `perStep` is non-zero only for the operators that rescan their whole
 * window at every bar (`stdev`/`ts_std`, `zscore`, `bb_upper`/`bb_lower`, `highest`, `lowest`, `ts_rank`,
 * `correlation`): their work grows with N × w, the rest are one pass over the bars. A run's cost is the sum over
 * its symbols. Units are calibrated so that one unit is about one nanosecond of evaluation on the reference
 * machine (`benchmarks/expression_cost_bench.ts` measures each operator against its modelled cost).
 */
import { yieldToEventLoop } from "../clock.ts";
/** Re-exported for the runners that pace their work with it. */
export { yieldToEventLoop };
import { type Expr, FUNCTIONS, printExpression } from "./expression.ts";

/** The cost of one operator: units per bar, and units per window step for operators that rescan the window. */
export interface OperatorCost {
  perBar: number;
  /** Units per (bar × window position) scanned; `0` for single-pass operators. */
  perStep: number;
  /** Index of the argument holding the window length (for `perStep`). */
  windowArg?: number;
}

const pass = (perBar: number): OperatorCost => ({ perBar, perStep: 0 });
const scan = (perBar: number, perStep: number, windowArg: number): OperatorCost => ({
  perBar,
  perStep,
  windowArg,
});

/** An element-wise column operation (`+ - * /`, comparisons, `and or not`, negation, a constant column). */
export const ELEMENTWISE_COST: OperatorCost = pass(8);

/**
 * Measured costs per function (see the module comment). Single-pass indicators cost a few units per bar;
 * window scans cost per step: `ts_rank` compares every value of the window with today's, `correlation` makes two
 * passes, `highest`/`lowest` one, `stdev` one (plus its SMA).
 */
export const OPERATOR_COSTS: Readonly<Record<string, OperatorCost>> = {
  sma: pass(4),
  ts_mean: pass(4),
  bb_middle: pass(4),
  volume_sma: pass(4),
  ema: pass(7),
  rsi: pass(7),
  atr: pass(7),
  vwap: pass(7),
  roc: pass(7),
  obv: pass(5),
  vpt: pass(4),
  delay: pass(2),
  delta: pass(2),
  macd: pass(24),
  macd_signal: pass(24),
  macd_hist: pass(24),
  abs: pass(8),
  log: pass(12),
  crosses_above: pass(5),
  crosses_below: pass(5),
  stdev: scan(8, 1, 1),
  ts_std: scan(8, 1, 1),
  bb_upper: scan(12, 1, 1),
  bb_lower: scan(12, 1, 1),
  zscore: scan(16, 1.5, 1),
  highest: scan(2, 2, 1),
  lowest: scan(2, 2, 1),
  ts_rank: scan(4, 3.5, 1),
  correlation: scan(4, 3, 2),
  // Cross-sectional: refused on a single symbol before any work; modelled as one pass for completeness.
  rank: pass(8),
};

const literal = (e: Expr) =>
  e.kind === "num" ? e.value : e.kind === "neg" && e.arg.kind === "num" ? -e.arg.value : NaN;

/** The own cost (children excluded) of node `e` over `bars` bars; fields are free (they are the bars). */
export function nodeCost(e: Expr, bars: number): number {
  if (e.kind === "field") return 0;
  if (e.kind !== "call") return ELEMENTWISE_COST.perBar * bars;
  const c = OPERATOR_COSTS[e.name] ?? ELEMENTWISE_COST;
  let cost = c.perBar * bars;
  if (c.perStep > 0 && c.windowArg !== undefined) {
    const w = literal(e.args[c.windowArg]);
    if (Number.isFinite(w) && w >= 1) cost += c.perStep * Math.max(0, bars - w + 1) * w;
  }
  return cost;
}

/** One distinct sub-expression with its own cost. */
export interface CostedNode {
  text: string;
  expr: Expr;
  cost: number;
}

/**
 * The distinct sub-expressions of `exprs` in evaluation order (children before parents, each text once), with
 * their own costs over `bars` bars. Literal arguments of functions (windows, multipliers) are not nodes.
 */
export function costedNodes(exprs: readonly Expr[], bars: number): CostedNode[] {
  const seen = new Set<string>();
  const out: CostedNode[] = [];
  const visit = (e: Expr) => {
    const text = printExpression(e);
    if (seen.has(text)) return;
    seen.add(text);
    if (e.kind === "call") {
      e.args.forEach((a, i) => {
        // Integer/number parameters are literals read by the operator, not columns it evaluates.
        if (!isLiteralParam(e.name, i)) visit(a);
      });
    } else if (e.kind === "bin") (visit(e.left), visit(e.right));
    else if (e.kind === "not" || e.kind === "neg") visit(e.arg);
    out.push({ text, expr: e, cost: nodeCost(e, bars) });
  };
  for (const e of exprs) visit(e);
  return out;
}

/** Whether argument `i` of function `name` is a literal parameter (a window or a multiplier), not a series. */
function isLiteralParam(name: string, i: number): boolean {
  const p = FUNCTIONS[name]?.params[i];
  return p !== undefined && p.type !== "series";
}

/** The cost of evaluating `exprs` together (shared sub-expressions once) on one symbol of `bars` bars. */
export function symbolCost(exprs: readonly Expr[], bars: number): number {
  let total = 0;
  for (const n of costedNodes(exprs, bars)) total += n.cost;
  return total;
}

/** Bars a year assumed when estimating a run before loading data: exchange trading days, or every day. */
export const BARS_PER_YEAR = { exchange: 252, everyDay: 365 } as const;

/** Estimated bars between two day numbers (inclusive) at `perYear` bars a year (at least 1). */
export function estimateBars(fromDay: number, toDay: number, perYear: number): number {
  return Math.max(1, Math.ceil(((toDay - fromDay + 1) * perYear) / 365));
}

/** An estimate of a run's evaluation cost. */
export interface ExpressionCostEstimate {
  /** Total cost units over every symbol. */
  cost: number;
  symbols: number;
  /** Estimated bars per symbol (the largest when symbols differ). */
  bars_per_symbol: number;
  /** Distinct sub-expressions evaluated per symbol. */
  nodes: number;
  /** The costliest sub-expressions over the whole run, most expensive first (at most 3). */
  costliest: { expression: string; cost: number }[];
}

/**
 * The cost of evaluating `exprs` on symbols whose bar counts are `barsBySymbol` (one entry per symbol). Symbols
 * with the same bar count share one computation.
 */
export function estimateExpressionCost(
  exprs: readonly Expr[],
  barsBySymbol: readonly number[],
): ExpressionCostEstimate {
  const byBars = new Map<number, number>();
  for (const b of barsBySymbol) byBars.set(b, (byBars.get(b) ?? 0) + 1);
  let cost = 0, nodes = 0, maxBars = 0;
  const perNode = new Map<string, number>();
  for (const [bars, count] of byBars) {
    const list = costedNodes(exprs, bars);
    nodes = Math.max(nodes, list.length);
    maxBars = Math.max(maxBars, bars);
    for (const n of list) {
      cost += n.cost * count;
      perNode.set(n.text, (perNode.get(n.text) ?? 0) + n.cost * count);
    }
  }
  const costliest = [...perNode].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1]).slice(0, 3)
    .map(([expression, c]) => ({ expression, cost: Math.round(c) }));
  return {
    cost: Math.round(cost),
    symbols: barsBySymbol.length,
    bars_per_symbol: maxBars,
    nodes,
    costliest,
  };
}

/** `1234567` → `"1,234,567"` (for messages). */
export function formatCost(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Cost units of work between two pauses: about 5 ms on the reference machine, so a request that needs a few
 * event-loop turns (a health check's KV reads) waits a few slices at most.
 */
const SLICE_COST = 5_000_000;

/** Spends cost units and pauses whenever a slice's worth has been spent since the last pause. */
export interface WorkPacer {
  /** Records `cost` units of work just done; awaits a pause when the slice is used up. */
  spend(cost: number): Promise<void>;
}

/** A pacer that calls `pause` after every `sliceCost` units of work. */
export function createWorkPacer(
  pause: () => Promise<void> = yieldToEventLoop,
  sliceCost = SLICE_COST,
): WorkPacer {
  let spent = 0;
  return {
    async spend(cost) {
      spent += cost;
      if (spent >= sliceCost) {
        spent = 0;
        await pause();
      }
    },
  };
}
