/** The paper-trading area's service bundle, built in `app/services.ts`. */
import type { RateCharge } from "../auth/rate_limiter.ts";
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { BackgroundTasks } from "../track_record/background_tasks.ts";
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
  /**
   * The most symbol-bars a start catches up on before it answers (`MAX_SYNC_SYMBOL_BARS`, a synchronous
   * backtest's limit); a larger catch-up goes to `background` (or the next advance job) at once. Absent: no limit.
   */
  maxSyncSymbolBars?: number;
  /** Expression budget checked when an instance starts (`MAX_JOB_EXPRESSION_COST`). */
  maxExpressionCost: number;
  /** Starts per user (`RATE_LIMIT_BACKTEST`, bucket `paper_run`); unlimited when absent. */
  rate?: RateCharge;
  /** How long a start processes past bars before it answers (default 10 s; the rest goes on in `background`). */
  startCatchUpMs?: number;
  /** Where a start's long catch-up goes on after the answer (absent: the next advance job does it). */
  background?: BackgroundTasks;
  log: LogFn;
}
