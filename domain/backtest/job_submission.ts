/**
 * Queueing a backtest for a user: the strategy comes from the request (any source shape, or the TradAI
 * document's `{strategy, pairs}` config naming one), or from one of the user's saved library versions; it is
 * refused before a job exists when its rules are over the job expression budget.
 *
 * The queueing rule: a submission under the rate limits is accepted (202) and queued. At most the tier's
 * `max_active_backtests` jobs of one user run at once (free 2, licensed 10); the user's other jobs wait their
 * turn (`queue.position`, `queue.reason`; see `queued_runs.ts`). Only when the user already has
 * `WAITING_PER_RUNNING` × that many jobs queued and not yet started (free 20, licensed 100) is a submission
 * refused (429 with Retry-After).
 */
import type { Tier, UserRepo } from "../store/user_repo.ts";
import { chargeRate, type RateCharge } from "../auth/rate_limiter.ts";
import { tierInfo } from "../auth/tiers.ts";
import { RateLimitError, ValidationError } from "../errors.ts";
import type { AgentConfig } from "../strategy/blueprint_and_config.ts";
import { getOwnVersion, type LibraryDeps } from "../strategy/library.ts";
import { resolveSpec, sourcePath, type SpecSources } from "../strategy/strategy_source.ts";
import type { BacktestJobRecord } from "../store/backtest_job_repo.ts";
import { jobDetail, type JobDetailView } from "./job_views.ts";
import {
  isNamedStrategyConfig,
  type NamedStrategyConfig,
  type NamedStrategySource,
  resolveNamedConfig,
} from "./named_strategy_config.ts";
import {
  ACTIVE_JOBS_SCAN,
  type BacktestJobDeps,
  getOwnJob,
  queueStanding,
  submitBacktestJob,
} from "./queued_runs.ts";
import { assertWithinExpressionBudget, estimateBacktestCost } from "./run_backtest.ts";

/** Seconds a caller over the waiting-job cap is asked to wait. */
const WAITING_CAP_RETRY_S = 30;
/** Jobs a user may have queued (not yet started) per job they may run at once. */
export const WAITING_PER_RUNNING = 10;

/** What queueing needs. */
export interface JobSubmissionDeps {
  jobs: BacktestJobDeps;
  library: LibraryDeps;
  /** Expression budget of a queued job (`MAX_JOB_EXPRESSION_COST`). */
  maxExpressionCost: number;
  /** Submissions per user and, separately, per client address (`RATE_LIMIT_BACKTEST`); unlimited when absent. */
  rate?: RateCharge;
}

/**
 * A queue request: one strategy source (where `config` is the chat agent's config or the TradAI document's
 * named-strategy config), or a library strategy (and version) of the caller.
 */
export interface JobRequest extends Omit<SpecSources, "config"> {
  config?: AgentConfig | NamedStrategyConfig;
  library_id?: string;
  version?: number;
  experiment_name?: string;
  priority?: number;
}

/** Where a queued job stands, as clients see it. */
export interface QueueView {
  /** 1-based place among the caller's waiting jobs (higher priority first, then oldest first). */
  position: number;
  /** The caller's jobs running now. */
  running: number;
  /** How many of the caller's jobs run at once (their tier's). */
  max_running: number | null;
  /** Why it waits, in words. */
  reason: string;
}

/** The answer to a queue request. */
export interface QueuedJob {
  job_id: string;
  status: "queued";
  /** The strategy a named config resolved to; `null` for the other sources. */
  strategy: NamedStrategySource | null;
  queue: QueueView;
}

/** How many jobs of a user run at once: their tier's `max_active_backtests` (`BacktestJobDeps.runningCapOf`). */
export function tierRunningCap(users: Pick<UserRepo, "get">): (userId: string) => Promise<number> {
  return async (userId) => tierInfo((await users.get(userId))?.tier ?? "free").limits.max_active_backtests;
}

/** Refuses (429) when `user` already has the most queued (not yet started) jobs their tier allows. */
async function assertUnderWaitingCap(deps: BacktestJobDeps, user: { id: string; tier: Tier }) {
  const running = tierInfo(user.tier).limits.max_active_backtests;
  const cap = running * WAITING_PER_RUNNING;
  const active = await deps.jobs.listActiveByUser(user.id, ACTIVE_JOBS_SCAN);
  if (active.filter((j) => j.status === "queued").length >= cap) {
    throw new RateLimitError(
      `Too many queued backtests: the ${user.tier} tier runs ${running} at once and holds at most ${cap} ` +
        "queued (not yet started); wait for some to start or cancel one",
      WAITING_CAP_RETRY_S,
    );
  }
}

/** The queue view of a queued job, or `null` once it is no longer queued. */
async function queueView(deps: BacktestJobDeps, job: BacktestJobRecord): Promise<QueueView | null> {
  const s = await queueStanding(deps, job);
  if (!s) return null;
  const ahead = s.position - 1;
  return {
    position: s.position,
    running: s.running,
    max_running: s.max_running,
    reason: s.may_start
      ? "waiting for a worker"
      : `waiting its turn: at most ${s.max_running} of your backtests run at once and ${
        s.running + ahead
      } are ahead of it (${s.running} running, ${ahead} queued); it starts when one finishes`,
  };
}

/** The strategy of a request: its spec, where it came from, and the library version it is. */
async function requestedSpec(deps: JobSubmissionDeps, userId: string, input: JobRequest) {
  if (input.library_id) {
    const v = await getOwnVersion(deps.library, userId, input.library_id, input.version);
    return { spec: v.spec, named: null, libraryId: v.strategy_id, libraryVersion: v.version };
  }
  if (isNamedStrategyConfig(input.config)) {
    const config = input.config;
    const found = await relativeTo(
      ["config"],
      () => resolveNamedConfig({ library: deps.library, market: deps.jobs.market }, userId, config),
    );
    const fromLibrary = found.source.kind === "library";
    return {
      spec: found.spec,
      named: found.source,
      libraryId: fromLibrary ? found.source.id : null,
      libraryVersion: fromLibrary ? found.source.version : null,
    };
  }
  const { config, ...rest } = input;
  const spec = resolveSpec({ ...rest, ...(config ? { config: config as AgentConfig } : {}) });
  return { spec, named: null, libraryId: null, libraryVersion: null };
}

/** Runs `fn`, putting `prefix` in front of the paths of a validation error it throws. */
async function relativeTo<T>(prefix: string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(
      e.message,
      [...prefix, ...e.loc],
      e.type,
      e.issues?.map((i) => ({ ...i, loc: [...prefix, ...i.loc] })),
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
  const found = await requestedSpec(deps, user.id, input);
  // Refused at submission, before a job exists, when its rules are over the expression budget.
  assertWithinExpressionBudget(
    await estimateBacktestCost(found.spec, deps.jobs.market, user.id),
    deps.maxExpressionCost,
    input.library_id ? ["library_id"] : sourcePath(input as SpecSources),
    "this strategy",
    "MAX_JOB_EXPRESSION_COST",
  );
  await assertUnderWaitingCap(deps.jobs, user);
  const job = await submitBacktestJob(deps.jobs, user.id, found.spec, {
    experimentName: input.experiment_name,
    priority: input.priority,
    libraryId: found.libraryId,
    libraryVersion: found.libraryVersion,
  });
  const queue = (await queueView(deps.jobs, job))!;
  return { job_id: job.id, status: "queued", strategy: found.named, queue };
}

/** One of the caller's jobs (as `jobDetail`) with, while it is queued, where it stands. */
export async function jobStatus(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<JobDetailView & { queue: QueueView | null }> {
  const detail = await jobDetail(deps, userId, jobId);
  const job = await getOwnJob(deps, userId, jobId);
  return { ...detail, queue: await queueView(deps, job) };
}
