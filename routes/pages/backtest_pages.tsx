/** Pages of backtests: the list and the result page (metrics, charts, monthly table, trades, exports, live progress, cancel). */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";

/** The router of these pages. */
export function backtestPages(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
