/** What the tracked-strategy, signal, settlement and public-record operations are built from. */
import type { RateCharge } from "../auth/rate_limiter.ts";
import type { Checkpoint } from "../attestation/checkpoint.ts";
import type { TransparencyLog } from "../attestation/transparency_log.ts";
import type { WitnessCollection } from "../attestation/witness_collector.ts";
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { MarketData } from "../market/types.ts";
import type { AuditRepo } from "../store/audit_repo.ts";
import type { ClaimedRepo } from "../store/claimed_repo.ts";
import type { SettlementRepo } from "../store/settlement_repo.ts";
import type { SignalRepo } from "../store/signal_repo.ts";
import type { PublicSummaryRepo } from "../store/public_summary_repo.ts";
import type { TrackedStrategyRepo } from "../store/tracked_strategy_repo.ts";
import type { NotificationDeps } from "../support/notifications.ts";
import type { BackgroundTasks } from "./background_tasks.ts";

/** The transparency log as this area uses it (implemented by `domain/attestation/transparency_log.ts`). */
export type SignalLogPort = Pick<
  TransparencyLog,
  "origin" | "append" | "checkpoint" | "inclusionProof" | "consistencyProof" | "publicKey" | "checkpoints"
>;

/** The part of the GitHub attester submission uses. */
export interface SignalAttesterPort {
  readonly configured: boolean;
  attest(file: { slug: string; trade_date: string; canonical_json: string; signal_hash: string }): Promise<
    { committed: true; sha: string; url: string; path: string } | { committed: false; reason: string }
  >;
  /** Commits a log checkpoint's file (`checkpoints/<origin, / → _>/<tree_size>.json`); never throws. */
  attestCheckpoint(checkpoint: Checkpoint): Promise<
    { committed: true; sha: string; url: string; path: string } | { committed: false; reason: string }
  >;
  /** The raw-content URL of a strategy-day's file (at `commitSha` when given); `null` when unconfigured. */
  rawFileUrl(slug: string, tradeDate: string, commitSha: string | null): string | null;
}

/** Addresses of public track-record pages, as the platform's front end publishes them. */
export interface TrackRecordLinks {
  /** A strategy's public track record. */
  publicRecord(slug: string): string;
  /** The current signed checkpoint of the log named `log` (with that log's public key). */
  logCheckpoint(log: "production" | "demo"): string;
}

/** Services and repositories of the verified-track-record area. */
export interface TrackRecordServices {
  strategies: TrackedStrategyRepo;
  signals: SignalRepo;
  settlements: SettlementRepo;
  audit: AuditRepo;
  claimed: ClaimedRepo;
  /** The public list's summary rows (one per public strategy, kept by its scope version). */
  summaries: PublicSummaryRepo;
  market: MarketData;
  /** The built-in production transparency log (always on). */
  tlog: SignalLogPort;
  /** The demo's own log (own origin and key): demo strategies' signals and day records go here, never to `tlog`. */
  demoTlog: SignalLogPort;
  /** Witness cosigning of both logs' heads (`WITNESS_URLS`), and the store of their cosignatures. */
  witnessing: WitnessCollection;
  /** GitHub attestation, or the unconfigured attester that answers `repo_not_configured`. */
  attester: SignalAttesterPort;
  notifications: NotificationDeps;
  /** Runs `attestPending` after a submission's response (the GitHub round trip stays out of the request). */
  background: BackgroundTasks;
  /**
   * Called after settlement wrote days for `slugs` (their logs cosigned): the app materialises their public
   * answers there (`domain/public_reads/warm_public_answers.ts`), so no reader recomputes them.
   */
  onSettled?: (slugs: readonly string[]) => void;
  /**
   * Brings the installed official calendar lists up to date in this process (another process may have
   * installed one: `ensureOfficialListsCurrent`); cached public answers whose `provisional` flags follow the
   * calendars call it before building. Absent: the lists in memory are taken as current.
   */
  calendarsCurrent?: () => Promise<void>;
  /** The nickname shown for a creator on public pages (`null` when unknown). */
  nicknameOf(userId: string): Promise<string | null>;
  /** Where a reader finds public things; the front end that publishes them says (no URLs in the domain). */
  links: TrackRecordLinks;
  clock: Clock;
  log: LogFn;
  /** Signal submissions per user (`RATE_LIMIT_SIGNAL`, bucket `signal_submit_user`); unlimited when absent. */
  signalRate?: RateCharge;
}

/** The log a strategy's signals and day records go to: the demo log for demo strategies, else the production log. */
export function logOf(deps: Pick<TrackRecordServices, "tlog" | "demoTlog">, strategy: { is_demo: boolean }) {
  return strategy.is_demo ? deps.demoTlog : deps.tlog;
}
