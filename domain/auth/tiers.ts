/** Account tiers and their limits. */
import type { Tier } from "../store/user_repo.ts";
import { TRACKED_UNIVERSES, type TrackedUniverse } from "../store/tracked_strategy_repo.ts";

/** What a tier allows. */
export interface TierInfo {
  tier: Tier;
  name: string;
  description: string;
  /** Tracked strategies that are not retired (the QuantGPT document's `max_strategies`; = `limits.max_tracked_strategies`). */
  max_strategies: number;
  /** Universes a tracked strategy of this tier may name (all tiers: all universes). */
  strategy_universes: TrackedUniverse[];
  limits: {
    /** Tracked strategies that are not retired. */
    max_tracked_strategies: number;
    /** API keys held at once. */
    max_api_keys: number;
    /** Backtest jobs running at once; more are queued and wait their turn (see `job_submission.ts`). */
    max_active_backtests: number;
    /** Paper-trading instances running at once (`domain/paper/`); stopped and failed ones do not count. */
    max_running_instances: number;
  };
}

/** Every tier, in upgrade order. */
export const TIERS: readonly TierInfo[] = [
  {
    tier: "free",
    name: "Free",
    description: "Research, backtests and up to 3 tracked strategies.",
    max_strategies: 3,
    strategy_universes: [...TRACKED_UNIVERSES],
    limits: {
      max_tracked_strategies: 3,
      max_api_keys: 10,
      max_active_backtests: 2,
      max_running_instances: 2,
    },
  },
  {
    tier: "licensed",
    name: "Licensed",
    description: "Up to 20 tracked strategies for teams running agents in production.",
    max_strategies: 20,
    strategy_universes: [...TRACKED_UNIVERSES],
    limits: {
      max_tracked_strategies: 20,
      max_api_keys: 50,
      max_active_backtests: 10,
      max_running_instances: 20,
    },
  },
];

/** The limits of `tier`. */
export function tierInfo(tier: Tier): TierInfo {
  return TIERS.find((t) => t.tier === tier) ?? TIERS[0];
}
