/** Pages of the Build area: blueprint form with live preview, strategy-text editor, copilot chat, backtrader import. */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";

/** The router of these pages. */
export function buildPages(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
