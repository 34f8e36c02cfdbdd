/** Factor validation (issue 15): every statistic of 1,000 symbols × 500 days, with two other factors to correlate. */
import { validateFactorStats } from "../domain/factors/factor_stats.ts";
import { randomPanel } from "../tests/_helpers/factor_panels.ts";

const { panel, others } = randomPanel(1000, 500, 42, 2);

Deno.bench("validateFactorStats, 1,000 symbols × 500 days, 2 other factors", () => {
  validateFactorStats(panel, others);
});

Deno.bench("validateFactorStats, 1,000 symbols × 500 days, no other factors", () => {
  validateFactorStats(panel);
});
