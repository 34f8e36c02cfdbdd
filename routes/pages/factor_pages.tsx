/** Pages of factors and portfolios. */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";

/** The router of these pages. */
export function factorPages(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
