/**
 * Formula factors (issue 15): evaluating formulas on 1,000 symbols × 750 dates (three years of a large universe)
 * of a random market with ~3 % missing bars. Parsing is included (it is microseconds).
 */
import { evaluateFormula, parseFormula } from "../domain/factors/formula/formula.ts";
import { randomInputs } from "../tests/domain/factors/formula/formula_panels.ts";

const inputs = randomInputs(1000, 750, 42);

for (
  const formula of [
    "rank(ts_mean(close, 20))",
    "correlation(rank(volume), rank(vwap), 10)",
    "ts_rank(close, 60)",
    "-ts_delta(close, 20)",
    "rank(volume / adv20)",
    "ts_std(returns, 20)",
    "ts_max(high, 20)",
    "decay_linear(returns, 10)",
  ]
) {
  Deno.bench(`evaluateFormula ${formula}, 1,000 symbols × 750 dates`, () => {
    evaluateFormula(parseFormula(formula), inputs);
  });
}
