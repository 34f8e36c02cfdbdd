/** The paper-trading area's service bundle, built in `app/services.ts`. */
import type { RateCharge } from "../auth/rate_limiter.ts";
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { MarketData } from "../market/types.ts";
import type { PaperRepo } from "../store/paper_repo.ts";
import type { UserRepo } from "../store/user_repo.ts";
import type { LibraryDeps } from "../strategy/library.ts";

/** What the paper operations and the advance job need. */
export interface PaperServices {
  instances: PaperRepo;
  /** The library the instances run strategies of (by id or by name). */
  library: LibraryDeps;
  market: MarketData;
  /** Account tiers (`limits.max_running_instances`). */
  users: Pick<UserRepo, "get">;
  clock: Clock;
  /** Work budget of one advance (symbols × bars loaded, `MAX_JOB_SYMBOL_BARS`). */
  maxSymbolBars: number;
  /** Expression budget checked when an instance starts (`MAX_JOB_EXPRESSION_COST`). */
  maxExpressionCost: number;
  /** Starts per user (`RATE_LIMIT_BACKTEST`, bucket `paper_run`); unlimited when absent. */
  rate?: RateCharge;
  log: LogFn;
}
