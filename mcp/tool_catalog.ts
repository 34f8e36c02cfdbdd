/**
 * Every tool the MCP server offers, in the order `tools/list` answers them. A new area adds its
 * `tools/<area>_tools.ts` array here.
 */
import type { ToolDef } from "./tool_kit.ts";
import { accountTools } from "./tools/account_tools.ts";
import { backtestTools } from "./tools/backtest_tools.ts";
import { calendarTools } from "./tools/calendar_tools.ts";
import { marketTools } from "./tools/market_tools.ts";
import { publicRecordTools } from "./tools/public_record_tools.ts";
import { leaderboardTools } from "./tools/leaderboard_tools.ts";
import { libraryTools } from "./tools/library_tools.ts";
import { assistantTools } from "./tools/assistant_tools.ts";
import { factorTools } from "./tools/factor_tools.ts";
import { licenseTools } from "./tools/license_tools.ts";
import { paperTools } from "./tools/paper_tools.ts";
import { portfolioTools } from "./tools/portfolio_tools.ts";
import { supportTools } from "./tools/support_tools.ts";
import { trackedTools } from "./tools/tracked_tools.ts";

/** All tools, names unique (checked when a server is built). */
export const ALL_TOOLS: readonly ToolDef[] = [
  ...accountTools,
  ...calendarTools,
  ...trackedTools,
  ...publicRecordTools,
  ...marketTools,
  ...backtestTools,
  ...libraryTools,
  ...leaderboardTools,
  ...assistantTools,
  ...factorTools,
  ...portfolioTools,
  ...paperTools,
  ...supportTools,
  ...licenseTools,
];
