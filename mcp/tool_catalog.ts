/**
 * Every tool the MCP server offers, in the order `tools/list` answers them. A new area adds its
 * `tools/<area>_tools.ts` array here.
 */
import type { ToolDef } from "./tool_kit.ts";
import { accountTools } from "./tools/account_tools.ts";
import { calendarTools } from "./tools/calendar_tools.ts";
import { marketTools } from "./tools/market_tools.ts";
import { publicRecordTools } from "./tools/public_record_tools.ts";
import { trackedTools } from "./tools/tracked_tools.ts";

/** All tools, names unique (checked when a server is built). */
export const ALL_TOOLS: readonly ToolDef[] = [
  ...accountTools,
  ...calendarTools,
  ...trackedTools,
  ...publicRecordTools,
  ...marketTools,
];
