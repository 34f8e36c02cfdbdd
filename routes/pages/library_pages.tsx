/** Pages of the library (versions, stage/promote/rollback, compare), leaderboards and the catalog. */
import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { catalogPages } from "./library/catalog_pages.tsx";
import { comparePage } from "./library/compare_page.tsx";
import { leaderboardPage } from "./library/leaderboard_page.tsx";
import { libraryListPage } from "./library/library_list_page.tsx";
import { strategyPage } from "./library/strategy_page.tsx";

/** The router of these pages. */
export function libraryPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route("/", libraryListPage(deps));
  app.route("/", comparePage(deps));
  app.route("/", strategyPage(deps));
  app.route("/", leaderboardPage(deps));
  app.route("/", catalogPages(deps));
  return app;
}
