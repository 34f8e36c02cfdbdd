/**
 * What the assistant's operations (`/generate`, `/builder/translate`, `/explain`, `/agent/*`) need, built once
 * by the house (`app/services.ts`).
 */
import type { Clock } from "../clock.ts";
import type { SyncRunDeps } from "../backtest/sync_runs.ts";
import type { AgentSessionRepo } from "../store/agent_session_repo.ts";
import type { AssistDeps } from "./assist.ts";
import type { Language } from "./turn_contract.ts";

/**
 * Rewords a deterministic explanation in `language` for `userId` (who is charged for it) (a model, when one is configured). It may change words
 * only: `explainStrategy` keeps its answer only when every number of the original is still there and no new
 * one appeared, else the deterministic text stands.
 */
export type Rephraser = (userId: string, text: string, language: Language) => Promise<string>;

/** The assistant's bundle. */
export interface AssistantDeps {
  /** One checked turn of the configured provider (with the offline fallback). */
  assist: AssistDeps;
  /** Chat-agent sessions. */
  sessions: AgentSessionRepo;
  /** The synchronous runs a ready chat config is dry-run with (the operation `/run_backtest` calls). */
  runs: SyncRunDeps;
  clock: Clock;
  /** How long a chat session lives after its last turn (ms). */
  sessionTtlMs: number;
  /** Rewording of explanations; absent: the deterministic text is the answer (the offline default). */
  rephrase?: Rephraser;
}
