/**
 * The front door of the verified-track-record area: one operation per API action, each returning the view the
 * API answers with. Routes validate input, call one of these and map errors; the jobs and scripts call the same
 * operations or the functions they are built from.
 */
import { chargeRate } from "../auth/rate_limiter.ts";
import { tierInfo } from "../auth/tiers.ts";
import type { Tier } from "../store/user_repo.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
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
import type { ConsistencyProof } from "../attestation/transparency_log.ts";
import { type ServedCheckpoint, withEvidenceAll } from "../attestation/checkpoint_evidence.ts";
import { MAX_CHECKPOINT_PAGE } from "../store/transparency_log_repo.ts";
import {
  type LogName,
  logNamed,
  servedHead,
  type ServedInclusionProof,
  servedInclusionProof,
} from "./log_views.ts";
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

/** The current signed checkpoint of the log `log` (default production), with cosignatures and GitHub commit. */
export function logCheckpoint(deps: TrackRecordServices, log?: LogName): Promise<ServedCheckpoint> {
  return servedHead(deps, logNamed(deps, log));
}

/**
 * The inclusion proof of a hash in the log `log` (its checkpoint with its evidence) and the strategy-day it was
 * submitted for (`null` for a leaf that is not a signal); 404 when not logged.
 */
export async function logInclusionProof(
  deps: TrackRecordServices,
  signalHash: string,
  treeSize?: number,
  log?: LogName,
): Promise<ServedInclusionProof & { signal: SignalHashRef | null }> {
  const proof = await servedInclusionProof(deps, logNamed(deps, log), signalHash, treeSize);
  if (!proof) throw new NotFoundError(`Signal hash ${signalHash} is not in the log`);
  return { ...proof, signal: await deps.signals.byHash(signalHash) };
}

/** The consistency proof between two tree sizes of the log `log`. */
export function logConsistencyProof(
  deps: TrackRecordServices,
  first: number,
  second: number,
  log?: LogName,
): Promise<ConsistencyProof> {
  return logNamed(deps, log).consistencyProof(first, second);
}

/** A page of a log's signed checkpoints. */
export interface CheckpointPage {
  origin: string;
  public_key: string;
  key_id: string;
  /** Ascending by tree size; only sizes that were signed. */
  checkpoints: ServedCheckpoint[];
  /** The `from_size` of the next page; `null` at the end. */
  next_from_size: number | null;
}

/**
 * The signed checkpoints of the log `log` with tree size ≥ `from_size` (default 1), ascending, at most `limit`
 * (1..1000, default 100), each with its cosignatures and GitHub commit.
 */
export async function logCheckpoints(
  deps: TrackRecordServices,
  query: { log?: LogName; from_size?: number; limit?: number },
): Promise<CheckpointPage> {
  const tlog = logNamed(deps, query.log);
  const limit = query.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CHECKPOINT_PAGE) {
    throw new BadRequestError(`Cannot list checkpoints: limit must be 1..${MAX_CHECKPOINT_PAGE}`);
  }
  const page = await tlog.checkpoints(query.from_size ?? 1, limit);
  const key = await tlog.publicKey();
  return {
    origin: tlog.origin,
    public_key: key.public_key,
    key_id: key.key_id,
    checkpoints: await withEvidenceAll(deps.witnessing.store, page.checkpoints),
    next_from_size: page.next,
  };
}

/** One configured witness of a log as the API shows it. */
export interface WitnessView {
  /** The name it cosigns with; `null` before its first cosignature. */
  name: string | null;
  url: string;
  key_id: string | null;
  public_key: string | null;
  /** The largest tree size of this log it has cosigned (0 before the first). */
  tree_size: number;
  /** Why the last push to it failed; `null` after a success or before the first push. */
  last_error: string | null;
}

/** The configured witnesses (`WITNESS_URLS`, in order) and what each has cosigned of the log `log`. */
export async function logWitnesses(
  deps: TrackRecordServices,
  log?: LogName,
): Promise<{ witnesses: WitnessView[] }> {
  const origin = logNamed(deps, log).origin;
  const states = new Map((await deps.witnessing.store.witnesses(origin)).map((w) => [w.url, w]));
  return {
    witnesses: deps.witnessing.urls.map((url) => {
      const st = states.get(url);
      return {
        name: st?.name ?? null,
        url,
        key_id: st?.key_id ?? null,
        public_key: st?.public_key ?? null,
        tree_size: st?.tree_size ?? 0,
        last_error: st?.last_error ?? null,
      };
    }),
  };
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
