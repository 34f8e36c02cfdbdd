/**
 * The front door of the verified-track-record area: one operation per API action, each returning the view the
 * API answers with. Routes validate input, call one of these and map errors; the jobs and scripts call the same
 * operations or the functions they are built from.
 */
import { chargeRate } from "../auth/rate_limiter.ts";
import { tierInfo } from "../auth/tiers.ts";
import type { Tier } from "../store/user_repo.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { NotFoundError } from "../errors.ts";
import { ATTEST_PENDING_TASK, attestPending } from "./signals/attest_pending.ts";
import {
  listSignals,
  type SignalView,
  submitSignal,
  type SubmitSignalInput,
  toSignalView,
  withdrawSignal,
} from "./signals/signals.ts";
import {
  assertManagedAccess,
  type CreateTrackedInput,
  createTrackedStrategy,
  getOwnTracked,
  listOwnTracked,
  type ManagedOption,
  patchTracked,
  type PatchTrackedInput,
  toTrackedView,
  type TrackedStrategyView,
} from "./signals/tracked_strategies.ts";
import type { TrackedStatus, TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { listPublicStrategies, type PublicStrategyPage } from "./public_record.ts";
import { type ClaimedHistoryView, getClaimedHistory } from "./claimed_history.ts";
import { type DailyJobName, type DailyJobStore, runDailyJob } from "./daily_tasks.ts";
import type { TrackRecordServices } from "./services.ts";
import type { Checkpoint, ConsistencyProof, InclusionProof } from "../attestation/transparency_log.ts";
import type { SignalHashRef } from "../store/signal_repo.ts";

/** Who is acting: the signed-in user's id and tier. */
export interface Actor {
  id: string;
  tier: Tier;
}

/** Creates a tracked strategy for `actor`, within their tier's limit of strategies that are not retired. */
export async function createTrackedStrategyView(
  deps: TrackRecordServices,
  actor: Actor,
  input: CreateTrackedInput,
): Promise<TrackedStrategyView> {
  const max = tierInfo(actor.tier).limits.max_tracked_strategies;
  return toTrackedView(await createTrackedStrategy(deps, actor.id, max, input));
}

/**
 * A page of my tracked strategies (all statuses unless `status`), newest first. The page is answered as
 * `strategies` (the QuantGPT document's name) and as `items` (this API's earlier name), beside the total.
 */
export async function listOwnTrackedView(
  deps: TrackRecordServices,
  ownerId: string,
  status?: TrackedStatus,
  page: { limit: number; offset: number } = { limit: 200, offset: 0 },
): Promise<
  {
    strategies: TrackedStrategyView[];
    items: TrackedStrategyView[];
    total: number;
    limit: number;
    offset: number;
  }
> {
  const all = await listOwnTracked(deps, ownerId, status);
  const items = all.slice(page.offset, page.offset + page.limit).map(toTrackedView);
  return { strategies: items, items, total: all.length, limit: page.limit, offset: page.offset };
}

/** One of my tracked strategies. */
export async function getOwnTrackedView(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<TrackedStrategyView> {
  return toTrackedView(await getOwnTracked(deps, ownerId, slug));
}

/**
 * Applies a patch to one of my strategies (retiring is the patch `{ status: "retired" }`); a portfolio's
 * strategy keeps its status to the portfolio (400), its name, description and visibility stay editable.
 */
export async function patchTrackedView(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  patch: PatchTrackedInput,
): Promise<TrackedStrategyView> {
  return toTrackedView(await patchTracked(deps, ownerId, slug, patch));
}

/** The answer to a submission: the signal and whether it replaced an earlier version. */
export type SubmittedSignalView = SignalView & { replaced: boolean };

/**
 * Submits a day's signal: one atomic commit (`submitSignal`), then the transparency-log half of `attestPending`
 * (local, no network) so the answer already shows the signal's log position, then the whole `attestPending`
 * (the GitHub commit) in the background, after the answer. Neither step can fail the submission: a failure
 * leaves the signal's markers for the next run (the next submission, the 09:10 job, or settlement). A strategy
 * managed by a portfolio accepts signals only from the platform, which passes `{ managedBy: <portfolio id> }`.
 */
export async function submitSignalView(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  input: SubmitSignalInput,
  opts: ManagedOption = {},
): Promise<SubmittedSignalView> {
  // `managed_by` is set when a strategy is created and never changes, so checking it before the commit is sound.
  const strategy = await deps.strategies.get(slug);
  if (strategy && strategy.owner_id === ownerId) assertManagedAccess(strategy, "submit a signal", opts);
  await chargeRate(deps.signalRate, "signal_submit_user", ownerId);
  const { signal, replaced } = await submitSignal(deps, ownerId, slug, input);
  let shown = signal;
  try {
    await attestPending(deps, { github: false });
    const stored = await deps.signals.get(slug, input.trade_date);
    if (stored && stored.signal_hash === signal.signal_hash) shown = stored;
  } catch (e) {
    deps.log("error", "logging a submitted signal failed", { slug, error: String(e) });
  }
  if (deps.attester.configured) deps.background.run(ATTEST_PENDING_TASK, () => attestPending(deps));
  return { ...toSignalView(shown), replaced };
}

/**
 * Schedules `attestPending` in the background: at process start, so signals a previous process committed but
 * never logged or attested (it died between the two) are picked up without waiting for the 09:10 job.
 */
export function resumePendingAttestations(deps: TrackRecordServices): void {
  deps.background.run(ATTEST_PENDING_TASK, () => attestPending(deps));
}

/** A page of my strategy's signals, newest trade date first. */
export async function listSignalsView(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  limit: number,
  offset: number,
): Promise<{ signals: SignalView[]; items: SignalView[]; total: number; limit: number; offset: number }> {
  const page = await listSignals(deps, ownerId, slug, limit, offset);
  const items = page.items.map(toSignalView);
  // `signals` is the QuantGPT document's name for the page; `items` is this API's earlier one.
  return { signals: items, items, total: page.total, limit, offset };
}

/** Withdraws my strategy's signal for `tradeDate` (see `withdrawSignal` for the rules). */
export async function withdrawSignalView(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  tradeDate: string,
): Promise<{ deleted: true; trade_date: string; signal_hash: string }> {
  assertManagedAccess(await getOwnTracked(deps, ownerId, slug), "withdraw a signal");
  const s = await withdrawSignal(deps, ownerId, slug, tradeDate);
  return { deleted: true, trade_date: tradeDate, signal_hash: s.signal_hash };
}

/** My strategy's claimed history: summary, `meta` and normalised records (see `getClaimedHistory`). */
export function getClaimedHistoryView(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<ClaimedHistoryView> {
  return getClaimedHistory(deps, ownerId, slug);
}

/** A page of the public list (see `listPublicStrategies`), with the page's limit and offset. */
export function publicStrategiesPage(
  deps: TrackRecordServices,
  query: { universe?: TrackedUniverse; limit: number; offset: number },
): Promise<PublicStrategyPage> {
  return listPublicStrategies(deps, query);
}

/** The transparency log's current signed checkpoint. */
export function logCheckpoint(deps: TrackRecordServices): Promise<Checkpoint> {
  return deps.tlog.checkpoint();
}

/** The inclusion proof of a signal hash and the strategy-day it was submitted for; 404 when not logged. */
export async function logInclusionProof(
  deps: TrackRecordServices,
  signalHash: string,
  treeSize?: number,
): Promise<InclusionProof & { signal: SignalHashRef | null }> {
  const proof = await deps.tlog.inclusionProof(signalHash, treeSize);
  if (!proof) throw new NotFoundError(`Signal hash ${signalHash} is not in the log`);
  return { ...proof, signal: await deps.signals.byHash(signalHash) };
}

/** The consistency proof between two tree sizes. */
export function logConsistencyProof(
  deps: TrackRecordServices,
  first: number,
  second: number,
): Promise<ConsistencyProof> {
  return deps.tlog.consistencyProof(first, second);
}

/** Runs a daily task now for `date` (default: today in Asia/Shanghai). */
export function runDailyTaskNow(
  deps: TrackRecordServices,
  store: DailyJobStore,
  name: DailyJobName,
  date?: string,
): ReturnType<typeof runDailyJob> {
  return runDailyJob(deps, store, name, date ?? getCalendar("SSE").today(deps.clock.now()));
}
