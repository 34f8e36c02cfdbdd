/** What the tracked-strategy, signal, settlement and public-record services need. */
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { MarketData } from "../market/types.ts";
import type { AuditRepo } from "../store/audit_repo.ts";
import type { ClaimedRepo } from "../store/claimed_repo.ts";
import type { SettlementRepo } from "../store/settlement_repo.ts";
import type { SignalRepo } from "../store/signal_repo.ts";
import type { TrackedStrategyRepo } from "../store/tracked_strategy_repo.ts";
import type { NotificationDeps } from "../support/notifications.ts";

/** The transparency log as this area uses it (implemented by `domain/attestation/transparency_log.ts`). */
export interface SignalLogPort {
  append(signalHash: string): Promise<{ leaf_index: number; tree_size: number; appended: boolean }>;
  checkpoint(): Promise<{ tree_size: number; timestamp: number; root_hash: string }>;
  inclusionProof(
    signalHash: string,
    treeSize?: number,
  ): Promise<{ leaf_index: number; tree_size: number; audit_path: string[]; root_hash: string } | null>;
  consistencyProof(
    first: number,
    second: number,
  ): Promise<{ first: number; second: number; proof: string[] }>;
}

/** The part of the GitHub attester submission uses. */
export interface SignalAttesterPort {
  readonly configured: boolean;
  attest(file: { slug: string; trade_date: string; canonical_json: string; signal_hash: string }): Promise<
    { committed: true; sha: string; url: string; path: string } | { committed: false; reason: string }
  >;
}

/** Services and repositories of the verified-track-record area. */
export interface TrackRecordServices {
  strategies: TrackedStrategyRepo;
  signals: SignalRepo;
  settlements: SettlementRepo;
  audit: AuditRepo;
  claimed: ClaimedRepo;
  market: MarketData;
  /** The built-in transparency log (always on). */
  tlog: SignalLogPort;
  /** GitHub attestation, or the unconfigured attester that answers `repo_not_configured`. */
  attester: SignalAttesterPort;
  notifications: NotificationDeps;
  /** The nickname shown for a creator on public pages (`null` when unknown). */
  nicknameOf(userId: string): Promise<string | null>;
  clock: Clock;
  log: LogFn;
}
