/**
 * Queueing a backtest for a user: the strategy comes from the request (any source shape) or from one of the
 * user's saved library versions; it is refused before a job exists when its rules are over the job expression
 * budget, or when the user already has as many active (queued or running) jobs as their tier allows.
 */
import type { Tier } from "../store/user_repo.ts";
import { chargeRate, type RateCharge } from "../auth/rate_limiter.ts";
import { tierInfo } from "../auth/tiers.ts";
import { RateLimitError } from "../errors.ts";
import { getOwnVersion, type LibraryDeps } from "../strategy/library.ts";
import { resolveSpec, sourcePath, type SpecSources } from "../strategy/strategy_source.ts";
import { type BacktestJobDeps, submitBacktestJob } from "./queued_runs.ts";
import { assertWithinExpressionBudget, estimateBacktestCost } from "./run_backtest.ts";

/** Seconds a caller over the active-job cap is asked to wait. */
const ACTIVE_CAP_RETRY_S = 30;
/** Jobs looked at when counting a user's active ones (the caps are far below). */
const ACTIVE_SCAN = 200;

/** What queueing needs. */
export interface JobSubmissionDeps {
  jobs: BacktestJobDeps;
  library: LibraryDeps;
  /** Expression budget of a queued job (`MAX_JOB_EXPRESSION_COST`). */
  maxExpressionCost: number;
  /** Submissions per user and, separately, per client address (`RATE_LIMIT_BACKTEST`); unlimited when absent. */
  rate?: RateCharge;
}

/** A queue request: one strategy source, or a library strategy (and version) of the caller. */
export interface JobRequest extends SpecSources {
  library_id?: string;
  version?: number;
  experiment_name?: string;
  priority?: number;
}

/** The answer to a queue request. */
export interface QueuedJob {
  job_id: string;
  status: "queued";
}

/** Jobs of `userId` not yet finished. */
async function activeJobCount(deps: BacktestJobDeps, userId: string): Promise<number> {
  return (await deps.jobs.listByUser(userId, { limit: ACTIVE_SCAN, offset: 0 })).items
    .filter((j) => j.status === "queued" || j.status === "running").length;
}

/** Refuses (429) when `user` already has as many active jobs as their tier allows. */
async function assertUnderActiveCap(deps: BacktestJobDeps, user: { id: string; tier: Tier }) {
  const cap = tierInfo(user.tier).limits.max_active_backtests;
  if (await activeJobCount(deps, user.id) >= cap) {
    throw new RateLimitError(
      `Too many active backtests: the ${user.tier} tier allows ${cap} at once`,
      ACTIVE_CAP_RETRY_S,
    );
  }
}

/** Queues a backtest for `user`; error paths are relative to `input`. */
export async function queueBacktest(
  deps: JobSubmissionDeps,
  user: { id: string; tier: Tier },
  input: JobRequest,
  clientIp?: string,
): Promise<QueuedJob> {
  await chargeRate(deps.rate, "backtest_submit_user", user.id);
  if (clientIp !== undefined) await chargeRate(deps.rate, "backtest_submit_ip", clientIp);
  const fromLibrary = input.library_id
    ? await getOwnVersion(deps.library, user.id, input.library_id, input.version)
    : null;
  const spec = fromLibrary ? fromLibrary.spec : resolveSpec(input);
  // Refused at submission, before a job exists, when its rules are over the expression budget.
  assertWithinExpressionBudget(
    await estimateBacktestCost(spec, deps.jobs.market, user.id),
    deps.maxExpressionCost,
    fromLibrary ? ["library_id"] : sourcePath(input),
    "this strategy",
    "MAX_JOB_EXPRESSION_COST",
  );
  await assertUnderActiveCap(deps.jobs, user);
  const job = await submitBacktestJob(deps.jobs, user.id, spec, {
    experimentName: input.experiment_name,
    priority: input.priority,
    libraryId: fromLibrary?.strategy_id ?? null,
    libraryVersion: fromLibrary?.version ?? null,
  });
  return { job_id: job.id, status: "queued" };
}
