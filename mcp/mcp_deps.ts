/**
 * What the MCP front end takes from the house: the same service bundles the HTTP routes take (so a tool and a
 * route call the same operation with the same dependencies), plus the MCP call rates. `AppDeps` (and so
 * `Services`) satisfies it structurally.
 */
import type { AssistantDeps } from "../domain/assistant/assistant_deps.ts";
import type { AssistDeps } from "../domain/assistant/assist.ts";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { DashboardDeps } from "../domain/backtest/dashboard_views.ts";
import type { IndicatorPreviewDeps } from "../domain/backtest/indicator_preview.ts";
import type { JobSubmissionDeps } from "../domain/backtest/job_submission.ts";
import type { BacktestJobDeps } from "../domain/backtest/queued_runs.ts";
import type { CatalogCompareDeps, CompareDeps } from "../domain/backtest/strategy_compare.ts";
import type { SyncRunDeps } from "../domain/backtest/sync_runs.ts";
import type { OfficialListDeps } from "../domain/calendar/official_lists.ts";
import type { Config } from "../domain/config.ts";
import type { CopilotDeps } from "../domain/copilot/copilot_views.ts";
import type { FactorServices } from "../domain/factors/services.ts";
import type { LeaderboardDeps } from "../domain/leaderboard/leaderboard.ts";
import type { LicenseServices } from "../domain/licenses/services.ts";
import type { LogFn } from "../domain/log.ts";
import type { CsvImportDeps } from "../domain/market/csv/import_bars.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import type { PaperServices } from "../domain/paper/paper_services.ts";
import type { PortfolioServices } from "../domain/portfolios/services.ts";
import type { CatalogDeps } from "../domain/strategy/catalog.ts";
import type { LibraryDeps } from "../domain/strategy/library.ts";
import type { SupportDeps } from "../domain/support/tickets.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";

/** The service bundles every tool, resource and prompt reads. */
export interface McpDeps {
  config: Pick<Config, "mcpRate" | "version" | "maxImportBytes" | "importRate">;
  auth: AuthDeps;
  calendars: OfficialListDeps;
  support: SupportDeps;
  market: MarketDeps;
  /** My CSV imports (the same bundle `POST /data/import` takes). */
  imports: CsvImportDeps;
  backtests: BacktestJobDeps;
  library: LibraryDeps;
  catalog: CatalogDeps;
  leaderboard: LeaderboardDeps;
  sync: SyncRunDeps;
  indicators: IndicatorPreviewDeps;
  compare: CompareDeps;
  catalogCompare: CatalogCompareDeps;
  jobSubmission: JobSubmissionDeps;
  copilot: CopilotDeps;
  strategyAssistant: AssistantDeps;
  assistant: AssistDeps;
  dashboard: DashboardDeps;
  track: TrackRecordServices;
  factors: FactorServices;
  portfolios: PortfolioServices;
  licenses: LicenseServices;
  paper: PaperServices;
  log: LogFn;
}
