/** Pages of public track records: the list and a record's page. */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";

/** The router of these pages. */
export function recordPages(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
