/** Pages of the library (versions, stage/promote/rollback, compare), leaderboards and the catalog. */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";

/** The router of these pages. */
export function libraryPages(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
