/** Pages of my tracked strategies, factors and portfolios, and the account (API keys, tier, notifications, tickets). */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";

/** The router of these pages. */
export function accountPages(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
