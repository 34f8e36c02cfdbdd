/** What the factor operations are built from (issue 15). */
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { MarketData } from "../market/types.ts";
import type { FactorRepo } from "../store/factor_repo.ts";
import type { NotificationDeps } from "../support/notifications.ts";
import type { RateCharge } from "../auth/rate_limiter.ts";

/** Services and repositories of the factor area. */
export interface FactorServices {
  factors: FactorRepo;
  market: MarketData;
  notifications: NotificationDeps;
  clock: Clock;
  log: LogFn;
  /** Validations (and formula computations) per user (bucket `factor_compute_user`); unlimited when absent. */
  computeRate?: RateCharge;
}
