import assert from "node:assert/strict";
import {
  costedNodes,
  createWorkPacer,
  ELEMENTWISE_COST,
  estimateBars,
  estimateExpressionCost,
  nodeCost,
  OPERATOR_COSTS,
  symbolCost,
} from "../../../domain/strategy/cost.ts";
import { parseExpression } from "../../../domain/strategy/expression.ts";
import { createEvalContext, evaluate, evaluateNodes } from "../../../domain/strategy/evaluate.ts";
import { DEFAULT_MAX_EXPRESSION_COST } from "../../../domain/config.ts";

const p = parseExpression;

/** The heavy spec of the hardening issue: 76 terms `ts_rank(close, 1400+i) > 0` per rule. */
const HEAVY = Array.from({ length: 76 }, (_, i) => `ts_rank(close,${1400 + i})>0`).join(" and ");

Deno.test("nodeCost() charges single-pass operators per bar and window scans per bar × window step", async (t) => {
  await t.step("sma is one pass whatever its window", () => {
    assert.equal(nodeCost(p("sma(close, 20)"), 1000), OPERATOR_COSTS.sma.perBar * 1000);
    assert.equal(nodeCost(p("sma(close, 500)"), 1000), OPERATOR_COSTS.sma.perBar * 1000);
  });
  await t.step("ts_rank scans (N − w + 1) windows of w values", () => {
    const c = OPERATOR_COSTS.ts_rank;
    assert.equal(nodeCost(p("ts_rank(close, 100)"), 1000), c.perBar * 1000 + c.perStep * 901 * 100);
  });
  await t.step("a window longer than the bars scans nothing", () => {
    assert.equal(nodeCost(p("ts_rank(close, 2000)"), 1000), OPERATOR_COSTS.ts_rank.perBar * 1000);
  });
  await t.step("correlation reads its window from the third argument", () => {
    const c = OPERATOR_COSTS.correlation;
    assert.equal(nodeCost(p("correlation(close, open, 10)"), 100), c.perBar * 100 + c.perStep * 91 * 10);
  });
  await t.step("fields are free; arithmetic and comparisons are element-wise", () => {
    assert.equal(nodeCost(p("close"), 1000), 0);
    assert.equal(nodeCost(p("close > open"), 1000), ELEMENTWISE_COST.perBar * 1000);
  });
});

Deno.test("costedNodes() lists each distinct sub-expression once, children first, without literal parameters", () => {
  const nodes = costedNodes(
    [p("crosses_above(sma(close, 20), sma(close, 50))"), p("crosses_below(sma(close, 20), sma(close, 50))")],
    100,
  );
  assert.deepEqual(nodes.map((n) => n.text), [
    "close",
    "sma(close, 20)",
    "sma(close, 50)",
    "crosses_above(sma(close, 20), sma(close, 50))",
    "crosses_below(sma(close, 20), sma(close, 50))",
  ]);
});

Deno.test("symbolCost() counts a sub-expression shared by entry and exit once, as evaluation does", () => {
  const entry = p(HEAVY), exit = p(HEAVY);
  assert.equal(symbolCost([entry, exit], 2000), symbolCost([entry], 2000));
});

Deno.test("the heavy ts_rank spec on 20 symbols is over the default budget; an SMA cross on hs300 is far under", () => {
  const bars = estimateBars(0, 2922 + 400, 252); // 2015–2022 plus the 400-day warm-up
  const heavy = estimateExpressionCost(
    [p(HEAVY), p(HEAVY), p("sma(close * volume, 20)")],
    Array(20).fill(bars),
  );
  assert.ok(heavy.cost > 10 * DEFAULT_MAX_EXPRESSION_COST, `heavy cost ${heavy.cost}`);
  assert.equal(heavy.costliest[0].expression, "ts_rank(close, 1400)");
  assert.equal(heavy.symbols, 20);
  const sma = estimateExpressionCost(
    [
      p("crosses_above(sma(close, 20), sma(close, 50))"),
      p("crosses_below(sma(close, 20), sma(close, 50))"),
      p("sma(close * volume, 20)"),
    ],
    Array(300).fill(bars),
  );
  assert.ok(sma.cost < DEFAULT_MAX_EXPRESSION_COST / 5, `sma cost ${sma.cost}`);
});

Deno.test("evaluateNodes() fills the cache so the rules are hits, and pauses once per slice of cost", async () => {
  const close = Float64Array.from({ length: 300 }, (_, i) => 100 + Math.sin(i / 7) * 10);
  const bars = { open: close, high: close, low: close, close, volume: close };
  // Many nodes of similar cost, so slices of a quarter of the total end three or four times.
  const entry = p(Array.from({ length: 12 }, (_, i) => `sma(close, ${i + 5}) > 100`).join(" and "));
  const nodes = costedNodes([entry], close.length);
  const total = nodes.reduce((s, n) => s + n.cost, 0);
  let pauses = 0;
  const ctx = createEvalContext(bars);
  await evaluateNodes(nodes, ctx, createWorkPacer(() => Promise.resolve(void pauses++), total / 4));
  assert.ok(pauses >= 3 && pauses <= 4, `${pauses} pauses`);
  const fresh = evaluate(entry, createEvalContext(bars));
  assert.equal(ctx.cache.size, nodes.length);
  assert.deepEqual(evaluate(entry, ctx), fresh);
});

Deno.test("every documented rule shape fits the default budget on the hs300 leaderboard dataset and at the synchronous size limit", async (t) => {
  // The rules the blueprint and agent shapes compile to (README table), with their usual parameters.
  const rules = [
    ["crosses_above(sma(close, 20), sma(close, 50))", "crosses_below(sma(close, 20), sma(close, 50))"],
    ["close > sma(close, 200)", "close < sma(close, 200)"],
    ["rsi(close, 14) < 30", "rsi(close, 14) > 70"],
    ["zscore(close, 20) < -2", "zscore(close, 20) > 0"],
    [
      "crosses_above(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
      "macd_hist(close, 12, 26, 9) < 0",
    ],
    ["close < bb_lower(close, 20, 2)", "close > bb_middle(close, 20)"],
    ["volume > 1.5 * volume_sma(20)", "close < highest(close, 22) - 3 * atr(14)"],
    ["obv() > sma(obv(), 20)", "close < vwap(20)"],
    ["close > delay(close, 1) + 2 * atr(14)", "vpt() < sma(vpt(), 20)"],
    ["rsi(close, 14) < 30 and volume > 1.5 * sma(volume, 20)", "rsi(close, 14) > 70"],
  ];
  const rank = p("sma(close * volume, 20)");
  const hs300Bars = estimateBars(0, 1826 + 400, 252); // 2020–2024 plus the warm-up
  for (const [entry, exit] of rules) {
    await t.step(entry, () => {
      const exprs = [p(entry), p(exit), rank];
      const leaderboard = estimateExpressionCost(exprs, Array(300).fill(hs300Bars)).cost;
      assert.ok(leaderboard < DEFAULT_MAX_EXPRESSION_COST, `leaderboard cost ${leaderboard}`);
      // 2,000,000 symbol-bars (MAX_SYNC_SYMBOL_BARS): 800 symbols × 2,500 bars.
      const sync = estimateExpressionCost(exprs, Array(800).fill(2500)).cost;
      assert.ok(sync < DEFAULT_MAX_EXPRESSION_COST, `sync-limit cost ${sync}`);
    });
  }
});
